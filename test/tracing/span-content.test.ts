/** What a tracing backend receives for each run: decoded from a real OTLP/HTTP receiver. */
import { afterEach, describe, expect, it } from 'vitest';
import { createRunTracer } from '../../src/tracing/run-tracer.js';
import { spanIdForTrace } from '../../src/tracing/ids.js';
import { CONTENT_TYPES, OTLP_PROTOCOLS, type OtlpCompression, type OtlpProtocol } from '../../src/tracing/otlp/protocols.js';
import type { RunTracer } from '../../src/tracing/run-tracer.js';
import type { TracedTarget } from '../../src/tracing/span-record.js';
import { OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js';
import { memoryLogger } from './logs.js';
import { finishedRun } from './runs.js';

const bot: TracedTarget = { app: 'support-bot', mode: 'workflow', serviceName: null };

let receiver: OtlpReceiver;
let tracer: RunTracer | undefined;

afterEach(async () => {
  await tracer?.shutdown();
  tracer = undefined;
  await receiver.close();
});

interface SendOptions {
  includeEndUser?: boolean;
  protocol: OtlpProtocol;
  compression?: OtlpCompression;
}

async function send(runs: [TracedTarget, ReturnType<typeof finishedRun>][], opts: SendOptions) {
  receiver = await OtlpReceiver.start();
  tracer = await createRunTracer(
    {
      endpoint: receiver.url,
      headers: { authorization: 'Bearer collector-token' },
      protocol: opts.protocol,
      compression: opts.compression ?? 'none',
      serviceName: 'dify',
      includeEndUser: opts.includeEndUser ?? false,
      maxOutboxSpans: 100,
      maxBatchSize: 50,
    },
    { logger: memoryLogger().logger, env: { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=staging' }, version: '0.1.0' },
  );
  for (const [target, run] of runs) tracer.record(target, run);
  tracer.start();
  await tracer.forceFlush();
  const byTrace = new Map<string, ReceivedSpan>();
  for (const s of receiver.spans()) byTrace.set(s.traceId, s);
  return { spans: receiver.spans(), byTrace };
}

const traceOf = (runId: string) => runId.replaceAll('-', '');

describe.each(OTLP_PROTOCOLS)('the span of a run, in %s', (protocol) => {
  it('carries the run UUID as trace id, its timing and its attributes', async () => {
    const run = finishedRun({ runCreatedAt: 1_700_000_100, elapsedSeconds: 2.75, totalTokens: 1234, totalSteps: 5 });
    const { spans } = await send([[bot, run]], { protocol });

    expect(spans).toHaveLength(1);
    const span = spans[0]!;
    expect(span.traceId).toBe(traceOf(run.runId));
    expect(span.spanId).toBe(spanIdForTrace(span.traceId));
    expect(span.parentSpanId).toBeUndefined();
    expect(span.name).toBe('invoke_workflow support-bot');
    expect(span.kind).toBe(1); // INTERNAL
    expect(span.startTimeUnixNano).toBe(1_700_000_100_000_000_000n);
    expect(span.endTimeUnixNano).toBe(1_700_000_102_750_000_000n);
    expect(span.status).toEqual({ code: 0, message: undefined });
    expect(span.attributes).toEqual({
      'gen_ai.operation.name': 'invoke_workflow',
      'gen_ai.workflow.name': 'support-bot',
      'gen_ai.usage.total_tokens': 1234,
      'dify.app.name': 'support-bot',
      'dify.app.mode': 'workflow',
      'dify.workflow.run_id': run.runId,
      'dify.workflow.version': '2025-01-01 10:00:00.000000',
      'dify.workflow.status': 'succeeded',
      'dify.workflow.total_tokens': 1234,
      'dify.workflow.total_steps': 5,
      'dify.workflow.exceptions_count': 0,
      'dify.workflow.triggered_from': 'app-run',
      'dify.workflow.created_from': 'service-api',
      'dify.workflow.created_by_role': 'end_user',
    });
    expect(span.resource).toMatchObject({ 'service.name': 'dify', 'deployment.environment': 'staging' });
    expect(span.scope).toEqual({ name: 'dify-exporter', version: '0.1.0' });
  });

  it('is sent to <endpoint>/v1/traces with the configured headers', async () => {
    await send([[bot, finishedRun()]], { protocol });
    const [request] = receiver.requests();
    expect(request?.path).toBe('/v1/traces');
    expect(request?.headers.authorization).toBe('Bearer collector-token');
    expect(request?.headers['content-type']).toBe(CONTENT_TYPES[protocol]);
  });

  it('is gzip-compressed when configured, with the same content', async () => {
    const run = finishedRun({ totalTokens: 77 });
    const { spans } = await send([[bot, run]], { protocol, compression: 'gzip' });
    expect(receiver.requests()[0]?.headers['content-encoding']).toBe('gzip');
    expect(spans.map((s) => [s.traceId, s.attributes['dify.workflow.total_tokens']])).toEqual([[traceOf(run.runId), 77]]);
  });

  it('keeps non-ASCII text, large counts and sub-second times exact', async () => {
    const cafe: TracedTarget = { app: 'café-助手 🤖', mode: 'advanced-chat', serviceName: 'ünïcode' };
    const run = finishedRun({
      status: 'failed',
      rawStatus: 'failed',
      error: `節點失敗 — ${'é'.repeat(600)}`,
      runCreatedAt: 1_700_000_000.5,
      elapsedSeconds: 0.000001,
      totalTokens: 5_000_000_000,
      totalSteps: 300,
    });
    const { spans } = await send([[cafe, run]], { protocol });
    const span = spans[0]!;
    expect(span.name).toBe('invoke_workflow café-助手 🤖');
    expect(span.attributes['gen_ai.workflow.name']).toBe('café-助手 🤖');
    expect(span.attributes['dify.workflow.total_tokens']).toBe(5_000_000_000);
    expect(span.attributes['dify.workflow.total_steps']).toBe(300);
    expect(span.status.message).toBe(`節點失敗 — ${'é'.repeat(600)}`);
    expect(span.resource['service.name']).toBe('ünïcode');
    expect(span.startTimeUnixNano).toBe(1_700_000_000_500_000_000n);
    expect(span.endTimeUnixNano).toBe(1_700_000_000_500_001_000n);
  });

  it('marks a failed run ERROR with its (truncated) error message and error.type', async () => {
    const long = finishedRun({ status: 'failed', rawStatus: 'failed', error: `Node LLM failed: ${'x'.repeat(3000)}` });
    const short = finishedRun({ status: 'failed', rawStatus: 'failed', error: null });
    const { byTrace } = await send(
      [
        [bot, long],
        [bot, short],
      ],
      { protocol },
    );
    const a = byTrace.get(traceOf(long.runId))!;
    expect(a.status.code).toBe(2);
    expect(a.status.message).toMatch(/^Node LLM failed: x+…$/);
    expect(a.status.message).toHaveLength(1024);
    expect(a.attributes['error.type']).toBe('workflow_failed');
    expect(a.attributes['dify.workflow.status']).toBe('failed');
    expect(byTrace.get(traceOf(short.runId))!.status).toEqual({ code: 2, message: 'workflow run failed' });
  });

  it('keeps partial-succeeded and stopped runs UNSET but shows their status and message', async () => {
    const partial = finishedRun({ status: 'partial-succeeded', rawStatus: 'partial-succeeded', exceptionsCount: 2 });
    const stopped = finishedRun({ status: 'stopped', rawStatus: 'stopped', error: 'Workflow stopped by user' });
    const odd = finishedRun({ status: 'unknown', rawStatus: 'archived' });
    const { byTrace } = await send(
      [
        [bot, partial],
        [bot, stopped],
        [bot, odd],
      ],
      { protocol },
    );
    const p = byTrace.get(traceOf(partial.runId))!;
    expect(p.status.code).toBe(0);
    expect(p.attributes).toMatchObject({ 'dify.workflow.status': 'partial-succeeded', 'dify.workflow.exceptions_count': 2 });
    expect(p.attributes['error.type']).toBeUndefined();
    const s = byTrace.get(traceOf(stopped.runId))!;
    expect(s.status.code).toBe(0);
    expect(s.attributes).toMatchObject({ 'dify.workflow.status': 'stopped', 'dify.workflow.error': 'Workflow stopped by user' });
    expect(byTrace.get(traceOf(odd.runId))!.attributes['dify.workflow.status']).toBe('archived');
  });

  it('uses the per-target service name and version for the resource', async () => {
    const billing: TracedTarget = { app: 'billing', mode: 'workflow', serviceName: 'billing-ai', serviceVersion: '1.16.0' };
    const a = finishedRun();
    const b = finishedRun();
    const { byTrace } = await send(
      [
        [bot, a],
        [billing, b],
      ],
      { protocol },
    );
    expect(byTrace.get(traceOf(a.runId))!.resource['service.name']).toBe('dify');
    expect(byTrace.get(traceOf(a.runId))!.resource['service.version']).toBeUndefined();
    expect(byTrace.get(traceOf(b.runId))!.resource).toMatchObject({ 'service.name': 'billing-ai', 'service.version': '1.16.0' });
  });

  it('adds end-user id and session id only when the config opts in', async () => {
    const run = finishedRun({ endUserId: 'eu-42', sessionId: 'alice@example.com' });
    const off = await send([[bot, run]], { protocol });
    expect(off.spans).toHaveLength(1);
    const wire = receiver.requests().map((r) => r.body).join('\n');
    expect(wire).not.toContain('alice@example.com');
    expect(wire).not.toContain('eu-42');
    await tracer?.shutdown();
    await receiver.close();

    const on = await send([[bot, run]], { includeEndUser: true, protocol });
    expect(on.spans[0]!.attributes).toMatchObject({ 'dify.end_user.id': 'eu-42', 'dify.end_user.session_id': 'alice@example.com' });
  });
});
