/** Restart through the state file, shutdown, and tracing turned off. */
import { describe, expect, it } from 'vitest';
import { createRunTracer } from '../../src/tracing/run-tracer.js';
import type { SpanRecord } from '../../src/tracing/span-record.js';
import { harness, traceIds } from './harness.js';
import { memoryLogger } from './logs.js';
import { finishedRun, finishedRuns } from './runs.js';

const bot = { app: 'support-bot', mode: 'workflow', serviceName: null };
const traceOf = (runId: string) => runId.replaceAll('-', '');
/** What the state file does to the outbox: plain JSON, written and read back. */
const throughStateFile = (records: SpanRecord[]): SpanRecord[] => JSON.parse(JSON.stringify(records)) as SpanRecord[];

describe('restart', () => {
  it('delivers the spans saved in the state file after a restart, none of them twice', async () => {
    const h = await harness({ maxBatchSize: 10 });
    const first = h.pipeline();
    first.start();
    const delivered = finishedRuns(10);
    for (const run of delivered) first.record(bot, run);
    await first.idle();
    expect(h.receiver.spans()).toHaveLength(10);

    h.receiver.mode = 'unavailable';
    const held = finishedRuns(25);
    for (const run of held) first.record(bot, run);
    await first.idle();
    const shutdown = first.shutdown();
    await shutdown;
    expect(first.shutdown()).toBe(shutdown); // idempotent
    const state = throughStateFile(first.snapshot());
    expect(state.map((r) => r.runId).sort()).toEqual(held.map((r) => r.runId).sort());

    h.receiver.mode = 'accept';
    const second = h.pipeline();
    second.restore(state);
    second.restore(state); // a second restore of the same file adds nothing
    expect(second.snapshot()).toHaveLength(25);
    second.start();
    await second.forceFlush();

    const all = [...delivered, ...held].map((r) => traceOf(r.runId)).sort();
    expect(traceIds(h.receiver.spans())).toEqual(all);
    expect(second.snapshot()).toEqual([]);
  });

  it('restores only records it can read, and strips end-user data when the opt-in was turned off', async () => {
    const h = await harness({ includeEndUser: true });
    h.receiver.mode = 'unavailable';
    const first = h.pipeline();
    first.record(bot, finishedRun({ endUserId: 'eu-42', sessionId: 'alice@example.com' }));
    const state = [...throughStateFile(first.snapshot()), { runId: 'garbage' } as unknown as SpanRecord];

    h.receiver.mode = 'accept';
    const second = h.pipeline({ includeEndUser: false });
    second.restore(state);
    expect(second.snapshot()).toHaveLength(1);
    expect(JSON.stringify(second.snapshot())).not.toContain('alice@example.com');
    expect(h.lines.some((l) => l.msg.includes('unknown shape') && l.invalid === 1)).toBe(true);
    second.start();
    await second.forceFlush();
    expect(h.receiver.spans()[0]?.attributes['dify.end_user.session_id']).toBeUndefined();
  });
});

describe('shutdown', () => {
  it('flushes spans still waiting for the flush timer', async () => {
    const h = await harness({ maxBatchSize: 100 });
    const tracer = h.pipeline();
    tracer.start();
    const runs = finishedRuns(3);
    for (const run of runs) tracer.record(bot, run);
    expect(h.receiver.spans()).toHaveLength(0);
    await tracer.shutdown();
    expect(traceIds(h.receiver.spans())).toEqual(runs.map((r) => traceOf(r.runId)).sort());

    tracer.record(bot, finishedRun()); // after shutdown: kept for the state file, not sent
    await tracer.forceFlush();
    expect(h.receiver.spans()).toHaveLength(3);
    expect(tracer.snapshot()).toHaveLength(1);
  });

  it('gives up at its deadline when the collector hangs, keeping the spans for the state file', async () => {
    const h = await harness({ maxBatchSize: 100 }, { exportTimeoutMillis: 60_000, shutdownTimeoutMillis: 5_000 });
    h.receiver.mode = 'hang';
    const tracer = h.pipeline();
    tracer.start();
    for (const run of finishedRuns(3)) tracer.record(bot, run);
    let done = false;
    const shutdown = tracer.shutdown().then(() => (done = true));
    for (let i = 0; i < 100 && h.receiver.requests().length === 0; i++) await new Promise((r) => setImmediate(r));
    h.timers.advance(4_999);
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    h.timers.advance(1);
    await shutdown;
    expect(tracer.snapshot()).toHaveLength(3);
    expect(h.lines.some((l) => l.msg.includes('not delivered at shutdown') && l.timedOut === true)).toBe(true);
  });
});

describe('tracing off', () => {
  it('is a no-op tracer with the same interface when no endpoint is configured', async () => {
    const { logger, lines } = memoryLogger();
    const tracer = await createRunTracer(
      { endpoint: null, headers: {}, protocol: 'http/protobuf', compression: 'none', serviceName: 'dify', includeEndUser: false, maxOutboxSpans: 10, maxBatchSize: 5 },
      { logger },
    );
    tracer.start();
    tracer.record(bot, finishedRun());
    expect(tracer.snapshot()).toEqual([]);
    tracer.restore([{ runId: 'x' } as SpanRecord]);
    expect(lines.some((l) => l.msg.includes('tracing is off'))).toBe(true);
    await tracer.forceFlush();
    await tracer.shutdown();
  });
});
