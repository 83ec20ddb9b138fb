/**
 * Our OTLP/protobuf encoder against the OpenTelemetry SDK's own protobuf serializer: for the same
 * records, a collector must decode exactly the same spans (decoded by an independent protobufjs
 * schema, not by our code).
 */
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import { TraceRequestEncoder } from '../../src/tracing/otlp/trace-request-encoder.js';
import { toReadableSpan } from '../../src/tracing/readable-span.js';
import { ResourceCache } from '../../src/tracing/resource.js';
import { Outbox } from '../../src/tracing/outbox.js';
import { runIdWordsOf, spanRecordFor, type SpanRecord, type TracedTarget } from '../../src/tracing/span-record.js';
import { decodeProtobufTraceRequest } from '../helpers/otlp-proto-schema.js';
import { decodeTraces } from '../helpers/otlp-receiver.js';
import { seededRandom } from '../helpers/random.js';
import { finishedRun } from './runs.js';

const scope = { name: 'dify-exporter', version: '9.9.9' };

function randomRecords(n: number, seed: number): SpanRecord[] {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const apps: TracedTarget[] = [
    { app: 'support-bot', mode: 'workflow', serviceName: null },
    { app: 'café-助手 🤖', mode: 'advanced-chat', serviceName: 'ünïcode', serviceVersion: '1.13.0' },
    { app: 'billing', mode: 'workflow', serviceName: 'billing-ai', serviceVersion: null },
  ];
  const statuses = ['succeeded', 'failed', 'stopped', 'partial-succeeded', 'archived'] as const;
  return Array.from({ length: n }, (_, i) => {
    const status = pick(statuses);
    const run = finishedRun({
      runId: i % 17 === 0 ? `not-a-uuid-${i}` : finishedRun().runId,
      status: status === 'archived' ? 'unknown' : status,
      rawStatus: status,
      runCreatedAt: 1_600_000_000 + Math.floor(random() * 300_000_000) + (i % 3 === 0 ? 0.5 : 0),
      elapsedSeconds: random() * (i % 5 === 0 ? 100_000 : 10),
      totalTokens: i % 11 === 0 ? 2 ** 40 + i : Math.floor(random() * 200_000),
      totalSteps: Math.floor(random() * 300),
      exceptionsCount: Math.floor(random() * 3),
      triggeredFrom: pick(['app-run', 'debugging', 'webhook']),
      workflowVersion: i % 4 === 0 ? null : pick(['draft', '2025-01-01 10:00:00.000000']),
      error: pick([null, 'Node LLM failed: quota', `長いエラー ${'ß'.repeat(Math.floor(random() * 700))}`]),
      endUserId: pick([null, 'eu-1', 'bénédicte']),
      sessionId: pick([null, 'session-ä']),
    });
    return spanRecordFor(pick(apps), run, { defaultServiceName: 'dify', includeEndUser: i % 2 === 0 });
  });
}

const byTrace = <T extends { traceId: string }>(spans: T[]): T[] => [...spans].sort((a, b) => a.traceId.localeCompare(b.traceId));

describe('the OTLP/protobuf request encoder', () => {
  it('encodes the same spans as the SDK serializer, field for field', () => {
    const resources = new ResourceCache({ 'deployment.environment': 'prod' });
    const encoder = new TraceRequestEncoder(resources, scope);
    for (const seed of [1, 2, 3]) {
      const batch = randomRecords(300, seed);
      const ours = decodeTraces(decodeProtobufTraceRequest(encoder.encode(batch)));
      const sdkBytes = ProtobufTraceSerializer.serializeRequest(batch.map((r) => toReadableSpan(r, resources.get(r.service, r.serviceVersion), scope)));
      const sdk = decodeTraces(decodeProtobufTraceRequest(sdkBytes!));
      expect(ours).toHaveLength(300);
      expect(byTrace(ours)).toEqual(byTrace(sdk));
    }
  });

  it('encodes the outbox\'s records, which keep UUID run ids packed, as the SDK does from plain ones', () => {
    const resources = new ResourceCache({});
    const encoder = new TraceRequestEncoder(resources, scope);
    const records = randomRecords(200, 21);
    const odd = ['00000000-0000-0000-0000-000000000000', 'ABCDEF01-2345-4789-8BCD-EF0123456789', '0000000000000000000000000000abcd'];
    odd.forEach((runId, i) => (records[i] = { ...records[i]!, runId }));
    const outbox = new Outbox(1_000);
    for (const r of records) outbox.add(r);
    const batch = outbox.take(records.length);
    expect(batch.filter((r) => runIdWordsOf(r) !== null).length).toBeGreaterThan(150);
    const sdk = decodeTraces(decodeProtobufTraceRequest(ProtobufTraceSerializer.serializeRequest(records.map((r) => toReadableSpan(r, resources.get(r.service, r.serviceVersion), scope)))!));
    const ours = decodeTraces(decodeProtobufTraceRequest(encoder.encode(batch)));
    expect(byTrace(ours)).toEqual(byTrace(sdk));
    expect(ours.map((s) => s.attributes['dify.workflow.run_id']).sort()).toEqual(records.map((r) => r.runId).sort());
  });

  it('groups a batch by resource, one resource per service name and version', () => {
    const resources = new ResourceCache({});
    const encoder = new TraceRequestEncoder(resources, scope);
    const request = decodeProtobufTraceRequest(encoder.encode(randomRecords(100, 4))) as { resourceSpans: unknown[] };
    expect(request.resourceSpans).toHaveLength(3);
  });

  it('writes a batch of one resource as one group, and the next batch of several by resource, as the SDK does', () => {
    const resources = new ResourceCache({});
    const encoder = new TraceRequestEncoder(resources, scope);
    const sdkSpans = (batch: SpanRecord[]) =>
      decodeTraces(decodeProtobufTraceRequest(ProtobufTraceSerializer.serializeRequest(batch.map((r) => toReadableSpan(r, resources.get(r.service, r.serviceVersion), scope)))!));
    const mixed = randomRecords(120, 13);
    const one = mixed.filter((r) => r.service === mixed[0]!.service && r.serviceVersion === mixed[0]!.serviceVersion);
    for (const [batch, groups] of [[one, 1], [mixed, 3], [one.slice(0, 5), 1]] as const) {
      const request = decodeProtobufTraceRequest(encoder.encode(batch)) as { resourceSpans: unknown[] };
      expect(request.resourceSpans).toHaveLength(groups);
      expect(byTrace(decodeTraces(request))).toEqual(byTrace(sdkSpans([...batch])));
    }
  });

  it('returns a body of its own for each batch (a retried request does not change)', () => {
    const encoder = new TraceRequestEncoder(new ResourceCache({}), scope);
    const first = encoder.encode(randomRecords(50, 5));
    const copy = Buffer.from(first);
    encoder.encode(randomRecords(200, 6));
    expect(Buffer.from(first).equals(copy)).toBe(true);
  });

  it('encodes spans of any size the same as the SDK: one span, spans over 16 KB, a batch over 2 MB', () => {
    const resources = new ResourceCache({});
    const encoder = new TraceRequestEncoder(resources, scope);
    const sdkSpans = (batch: SpanRecord[]) =>
      decodeTraces(decodeProtobufTraceRequest(ProtobufTraceSerializer.serializeRequest(batch.map((r) => toReadableSpan(r, resources.get(r.service, r.serviceVersion), scope)))!));
    const huge = (r: SpanRecord, i: number): SpanRecord => ({ ...r, sessionId: `session ${i} ${'é'.repeat(8_000 + (i % 5) * 1_000)}`, endUserId: 'x'.repeat(i * 70) });
    for (const batch of [randomRecords(1, 7), randomRecords(6, 8).map(huge), randomRecords(150, 9).map(huge)]) {
      const body = encoder.encode(batch);
      expect(byTrace(decodeTraces(decodeProtobufTraceRequest(body)))).toEqual(byTrace(sdkSpans(batch)));
    }
  });

  it('writes the next bodies into memory given back, never into a body still held', () => {
    const encoder = new TraceRequestEncoder(new ResourceCache({}), scope);
    const a = encoder.encode(randomRecords(50, 10));
    const b = encoder.encode(randomRecords(60, 11));
    const bBytes = Buffer.from(b);
    expect(b.buffer).not.toBe(a.buffer);
    encoder.release(a);
    const c = encoder.encode(randomRecords(40, 12));
    expect(c.buffer).toBe(a.buffer);
    expect(Buffer.from(b).equals(bBytes)).toBe(true);
    // Given back twice: the memory still goes to one body only.
    encoder.release(c);
    encoder.release(c);
    const d = encoder.encode(randomRecords(40, 13));
    const e = encoder.encode(randomRecords(40, 14));
    expect(d.buffer).not.toBe(e.buffer);
    // Arrays it did not hand out are ignored.
    const foreign = new Uint8Array(1 << 19);
    encoder.release(foreign);
    expect(encoder.encode(randomRecords(40, 15)).buffer).not.toBe(foreign.buffer);
  });

  it('writes an empty request for an empty batch', () => {
    const encoder = new TraceRequestEncoder(new ResourceCache({}), scope);
    expect(encoder.encode([])).toHaveLength(0);
  });
});
