/**
 * The two OTLP/HTTP encodings of a batch of outbox records: protobuf (the OTel default), written
 * by our encoder, and JSON, through the SDK's serializer. Responses are read by the SDK's own
 * deserializers (partial success).
 */
import type { InstrumentationScope } from '@opentelemetry/core';
import {
  JsonTraceSerializer,
  ProtobufTraceSerializer,
  type IExportTraceServiceResponse,
  type ISerializer,
} from '@opentelemetry/otlp-transformer';
import { toReadableSpan } from '../readable-span.js';
import type { ResourceCache } from '../resource.js';
import type { SpanRecord } from '../span-record.js';
import type { OtlpProtocol } from './protocols.js';
import { TraceRequestEncoder } from './trace-request-encoder.js';

export interface SpanRecordSerializer extends ISerializer<SpanRecord[], IExportTraceServiceResponse> {
  /** Takes back a request body once its export succeeded (its memory may be reused). */
  release?(body: Uint8Array): void;
}

export function spanRecordSerializer(protocol: OtlpProtocol, resources: ResourceCache, scope: InstrumentationScope): SpanRecordSerializer {
  if (protocol === 'http/json') {
    return {
      serializeRequest: (batch) =>
        JsonTraceSerializer.serializeRequest(batch.map((r) => toReadableSpan(r, resources.get(r.service, r.serviceVersion), scope))),
      deserializeResponse: (data) => JsonTraceSerializer.deserializeResponse(data),
    };
  }
  const encoder = new TraceRequestEncoder(resources, scope);
  return {
    serializeRequest: (batch) => encoder.encode(batch),
    deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
    release: (body) => encoder.release(body),
  };
}
