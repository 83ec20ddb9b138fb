/**
 * The OTLP/HTTP exporter against a real receiver on loopback: a request body's memory is given
 * back to the serializer only after the collector accepted it, never after a failed export (a
 * request that timed out may still be writing it).
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createOtlpHttpExporter } from '../../src/tracing/otlp/http-exporter.js';
import { spanRecordSerializer, type SpanRecordSerializer } from '../../src/tracing/otlp/serializers.js';
import { ResourceCache } from '../../src/tracing/resource.js';
import { spanRecordFor, type SpanRecord } from '../../src/tracing/span-record.js';
import { OtlpReceiver, type ReceiverMode } from '../helpers/otlp-receiver.js';
import { finishedRun } from './runs.js';

const receivers: OtlpReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

function records(n: number): SpanRecord[] {
  return Array.from({ length: n }, () => spanRecordFor({ app: 'support-bot', mode: 'workflow', serviceName: null }, finishedRun(), { defaultServiceName: 'dify', includeEndUser: false }));
}

describe('the OTLP/HTTP exporter', () => {
  it('gives a body back to the serializer once the collector accepted it, and only then', async () => {
    const receiver = await OtlpReceiver.start();
    receivers.push(receiver);
    const inner = spanRecordSerializer('http/protobuf', new ResourceCache({}), { name: 'dify-exporter' });
    const sent: Uint8Array[] = [];
    const released: Uint8Array[] = [];
    const serializer: SpanRecordSerializer = {
      serializeRequest(batch) {
        const body = inner.serializeRequest(batch)!;
        sent.push(body);
        return body;
      },
      deserializeResponse: (data) => inner.deserializeResponse(data),
      release: (body) => released.push(body),
    };
    const exporter = createOtlpHttpExporter({
      url: receiver.tracesUrl,
      headers: {},
      protocol: 'http/protobuf',
      compression: 'none',
      timeoutMillis: 300,
      serializer,
      tls: {},
    });
    const exportIn = (mode: ReceiverMode, batch: SpanRecord[]) => {
      receiver.mode = mode;
      return new Promise<ExportResult>((resolve) => exporter.export(batch, resolve));
    };

    expect((await exportIn('accept', records(3))).code).toBe(ExportResultCode.SUCCESS);
    expect(released).toEqual([sent[0]]);
    expect((await exportIn('reject', records(2))).code).toBe(ExportResultCode.FAILED);
    expect((await exportIn('hang', records(2))).code).toBe(ExportResultCode.FAILED);
    expect(released).toHaveLength(1);
    expect((await exportIn('accept', records(4))).code).toBe(ExportResultCode.SUCCESS);
    expect(released).toEqual([sent[0], sent.at(-1)]);
    expect(receiver.spans()).toHaveLength(7);
    await exporter.shutdown();
  });
});
