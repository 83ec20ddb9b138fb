/**
 * Sends batches of outbox records to an OTLP/HTTP traces endpoint with the OpenTelemetry SDK's
 * HTTP transport (keep-alive, timeout, gzip, retries of 429/502/503/504 within the timeout,
 * partial-success responses), our serializer in place of the SDK's span serializer.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { createOtlpHttpExportDelegate, httpAgentFactoryFromOptions } from '@opentelemetry/otlp-exporter-base/node-http';
import type { SpanRecord } from '../span-record.js';
import { CONTENT_TYPES, type OtlpCompression, type OtlpProtocol } from './protocols.js';
import type { SpanRecordSerializer } from './serializers.js';
import type { TlsFiles } from './tls-from-env.js';

/** What the span pipeline sends batches through. */
export interface SpanRecordExporter {
  export(batch: SpanRecord[], done: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
}

export interface OtlpHttpExporterOptions {
  /** Full traces URL (…/v1/traces). */
  url: string;
  headers: Record<string, string>;
  protocol: OtlpProtocol;
  compression: OtlpCompression;
  /** Per export, the transport's own retries included. */
  timeoutMillis: number;
  serializer: SpanRecordSerializer;
  /** CA and client certificate for https endpoints. */
  tls: TlsFiles;
}

/** The exporter's `otel.component.type` in the SDK's self-observability metrics. */
const COMPONENT_TYPE = 'otlp_http_span_exporter';
/** Exports the transport accepts at once (the pipeline keeps far fewer in flight). */
const CONCURRENCY_LIMIT = 30;

export function createOtlpHttpExporter(o: OtlpHttpExporterOptions): SpanRecordExporter {
  const headers = { ...o.headers, 'Content-Type': CONTENT_TYPES[o.protocol] };
  // The body of each batch being exported, given back to the serializer once the collector
  // accepted it. A failed export's body is left to the garbage collector: a request that timed out
  // may still be writing it.
  const bodies = new Map<SpanRecord[], Uint8Array>();
  const serializer: SpanRecordSerializer = {
    serializeRequest(batch) {
      const body = o.serializer.serializeRequest(batch);
      if (body !== undefined && o.serializer.release) bodies.set(batch, body);
      return body;
    },
    deserializeResponse: (data) => o.serializer.deserializeResponse(data),
  };
  const delegate = createOtlpHttpExportDelegate(
    {
      url: o.url,
      // A copy per request: the transport adds User-Agent to the object it is given.
      headers: () => Promise.resolve({ ...headers }),
      compression: o.compression,
      timeoutMillis: o.timeoutMillis,
      concurrencyLimit: CONCURRENCY_LIMIT,
      agentFactory: httpAgentFactoryFromOptions({ keepAlive: true, ...o.tls }),
    },
    serializer,
    COMPONENT_TYPE,
    { name: 'span', countItems: (batch: SpanRecord[]) => batch.length },
    undefined,
  );
  const base = new OTLPExporterBase(delegate);
  return {
    export(batch, done) {
      base.export(batch, (result) => {
        const body = bodies.get(batch);
        bodies.delete(batch);
        if (body !== undefined && result.code === ExportResultCode.SUCCESS) o.serializer.release?.(body);
        done(result);
      });
    },
    shutdown: () => base.shutdown(),
  };
}
