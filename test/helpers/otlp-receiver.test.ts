import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { SpanKind, SpanStatusCode, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const ROOT_SPAN_ID = 'b7ad6b7169203331';
const CHILD_SPAN_ID = '00f067aa0ba902b7';
const LINKED_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

const resource = resourceFromAttributes({ 'service.name': 'dify-exporter', 'service.version': '0.1.0' });
const scope = { name: 'dify-exporter', version: '0.1.0' };

function span(fields: Pick<ReadableSpan, 'name' | 'kind' | 'startTime' | 'endTime' | 'status' | 'attributes'> & {
  context: SpanContext;
  parent?: SpanContext;
  links?: ReadableSpan['links'];
  events?: ReadableSpan['events'];
}): ReadableSpan {
  return {
    name: fields.name,
    kind: fields.kind,
    spanContext: () => fields.context,
    parentSpanContext: fields.parent,
    startTime: fields.startTime,
    endTime: fields.endTime,
    duration: [fields.endTime[0] - fields.startTime[0], 0],
    status: fields.status,
    attributes: fields.attributes,
    links: fields.links ?? [],
    events: fields.events ?? [],
    ended: true,
    resource,
    instrumentationScope: scope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** Nanosecond times above 2^53, so a decoder going through a double would lose the last digits. */
const spans: ReadableSpan[] = [
  span({
    name: 'invoke_workflow Support Bot',
    kind: SpanKind.SERVER,
    context: { traceId: TRACE_ID, spanId: ROOT_SPAN_ID, traceFlags: TraceFlags.SAMPLED },
    startTime: [1_700_000_000, 123_456_789],
    endTime: [1_700_000_001, 987_654_321],
    status: { code: SpanStatusCode.ERROR, message: 'node llm failed' },
    attributes: { 'dify.app.name': 'Support Bot', 'gen_ai.usage.total_tokens': 1234, 'dify.ratio': 0.25, 'dify.cached': true, 'dify.tags': ['a', 'b'] },
    events: [{ name: 'retry', time: [1_700_000_000, 500_000_000], attributes: { attempt: 2 }, droppedAttributesCount: 0 }],
  }),
  span({
    name: 'call tool',
    kind: SpanKind.CLIENT,
    context: { traceId: TRACE_ID, spanId: CHILD_SPAN_ID, traceFlags: TraceFlags.NONE },
    parent: { traceId: TRACE_ID, spanId: ROOT_SPAN_ID, traceFlags: TraceFlags.SAMPLED, isRemote: true },
    startTime: [1_700_000_000, 200_000_001],
    endTime: [1_700_000_000, 900_000_009],
    status: { code: SpanStatusCode.OK },
    attributes: { 'dify.workflow.total_steps': -7 },
    links: [{ context: { traceId: LINKED_TRACE_ID, spanId: ROOT_SPAN_ID, traceFlags: TraceFlags.SAMPLED }, attributes: { why: 'retry of' } }],
  }),
];

const resourceAttributes = { 'service.name': 'dify-exporter', 'service.version': '0.1.0' };

const expected: ReceivedSpan[] = [
  {
    traceId: TRACE_ID,
    spanId: ROOT_SPAN_ID,
    parentSpanId: undefined,
    name: 'invoke_workflow Support Bot',
    kind: 2,
    startTimeUnixNano: 1_700_000_000_123_456_789n,
    endTimeUnixNano: 1_700_000_001_987_654_321n,
    attributes: { 'dify.app.name': 'Support Bot', 'gen_ai.usage.total_tokens': 1234, 'dify.ratio': 0.25, 'dify.cached': true, 'dify.tags': ['a', 'b'] },
    status: { code: 2, message: 'node llm failed' },
    resource: resourceAttributes,
    scope: { name: 'dify-exporter', version: '0.1.0' },
    flags: 0x101, // sampled, parent "is remote" known (no parent: not remote)
  },
  {
    traceId: TRACE_ID,
    spanId: CHILD_SPAN_ID,
    parentSpanId: ROOT_SPAN_ID,
    name: 'call tool',
    kind: 3,
    startTimeUnixNano: 1_700_000_000_200_000_001n,
    endTimeUnixNano: 1_700_000_000_900_000_009n,
    attributes: { 'dify.workflow.total_steps': -7 },
    status: { code: 1, message: undefined },
    resource: resourceAttributes,
    scope: { name: 'dify-exporter', version: '0.1.0' },
    flags: 0x300, // not sampled, parent known to be remote
  },
];

interface Answer {
  status: number;
  contentType: string;
  body: Buffer;
}

function post(url: string, contentType: string, body: Uint8Array, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': contentType, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function serialize(serializer: typeof ProtobufTraceSerializer): Uint8Array {
  const bytes = serializer.serializeRequest(spans);
  if (bytes === undefined) throw new Error('serializer returned nothing');
  return bytes;
}

describe('OtlpReceiver', () => {
  let receiver: OtlpReceiver;
  beforeEach(async () => {
    receiver = await OtlpReceiver.start();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('decodes OTLP/protobuf from the SDK serializer exactly, and answers an empty protobuf response', async () => {
    const answer = await post(receiver.tracesUrl, PROTOBUF, serialize(ProtobufTraceSerializer));
    expect(answer).toEqual({ status: 200, contentType: PROTOBUF, body: Buffer.alloc(0) });
    expect(ProtobufTraceSerializer.deserializeResponse(answer.body)).toEqual({});
    expect(receiver.spans()).toEqual(expected);
    const [entry] = receiver.requests();
    expect(entry).toMatchObject({ contentType: PROTOBUF, answered: 200, spans: 2 });
    expect(entry?.body).toContain('node llm failed');
  });

  it('decodes OTLP/JSON from the SDK serializer to the same spans, and answers {}', async () => {
    const answer = await post(receiver.tracesUrl, `${JSON_TYPE}; charset=utf-8`, serialize(JsonTraceSerializer));
    expect(answer).toEqual({ status: 200, contentType: JSON_TYPE, body: Buffer.from('{}') });
    expect(receiver.spans()).toEqual(expected);
    expect(receiver.requests()[0]).toMatchObject({ contentType: `${JSON_TYPE}; charset=utf-8`, answered: 200, spans: 2 });
  });

  it('decodes gzip-compressed protobuf', async () => {
    const answer = await post(receiver.tracesUrl, PROTOBUF, gzipSync(serialize(ProtobufTraceSerializer)), { 'content-encoding': 'gzip' });
    expect(answer.status).toBe(200);
    expect(receiver.spans()).toEqual(expected);
  });

  it('reads a span without flags as flags undefined', async () => {
    const json = {
      resourceSpans: [
        {
          scopeSpans: [{ spans: [{ traceId: TRACE_ID, spanId: ROOT_SPAN_ID, name: 'x', kind: 1, startTimeUnixNano: '1', endTimeUnixNano: '2' }] }],
        },
      ],
    };
    await post(receiver.tracesUrl, JSON_TYPE, Buffer.from(JSON.stringify(json)));
    expect(receiver.spans().map((s) => s.flags)).toEqual([undefined]);
  });

  it('answers 415 to a content type that is neither protobuf nor JSON, and keeps nothing', async () => {
    const answer = await post(receiver.tracesUrl, 'text/plain', serialize(JsonTraceSerializer));
    expect(answer.status).toBe(415);
    expect(receiver.spans()).toEqual([]);
    expect(receiver.requests()[0]).toMatchObject({ contentType: 'text/plain', answered: 415, spans: 0 });
  });

  it('answers 400 with an empty protobuf body to a body that is not OTLP/protobuf', async () => {
    const answer = await post(receiver.tracesUrl, PROTOBUF, Buffer.from('this is not protobuf'));
    expect(answer).toEqual({ status: 400, contentType: PROTOBUF, body: Buffer.alloc(0) });
    expect(receiver.spans()).toEqual([]);
  });

  it('plays a broken collector in protobuf too: 503 and 400 with empty protobuf bodies', async () => {
    receiver.mode = 'unavailable';
    expect(await post(receiver.tracesUrl, PROTOBUF, serialize(ProtobufTraceSerializer))).toEqual({ status: 503, contentType: PROTOBUF, body: Buffer.alloc(0) });
    receiver.mode = 'reject';
    expect(await post(receiver.tracesUrl, PROTOBUF, serialize(ProtobufTraceSerializer))).toEqual({ status: 400, contentType: PROTOBUF, body: Buffer.alloc(0) });
    expect(receiver.spans()).toEqual([]);
  });
});
