/** Batching, collector outages and the outbox bound, against a real OTLP receiver on loopback. */
import { describe, expect, it } from 'vitest';
import { FLUSH_MS, harness, traceIds } from './harness.js';
import { WARN } from './logs.js';
import { finishedRuns } from './runs.js';

const bot = { app: 'support-bot', mode: 'workflow', serviceName: null };
const traceOf = (runId: string) => runId.replaceAll('-', '');

describe('span delivery', () => {
  it('sends full batches at once and the rest when the flush timer fires', async () => {
    const h = await harness({ maxBatchSize: 10 });
    const tracer = h.pipeline();
    tracer.start();
    for (const run of finishedRuns(25)) tracer.record(bot, run);
    await tracer.idle();
    expect(h.receiver.spans()).toHaveLength(20);
    expect(h.metrics.queued).toBe(5);

    await h.tick(FLUSH_MS - 1, tracer);
    expect(h.receiver.spans()).toHaveLength(20);
    await h.tick(1, tracer);
    expect(h.receiver.spans()).toHaveLength(25);
    expect(h.receiver.requests().map((r) => r.spans)).toEqual([10, 10, 5]);
    expect(h.metrics.exportedTotal).toBe(25);
    expect(h.metrics.queued).toBe(0);

    // A trickle of runs after a flush still waits for the timer and goes out as one batch.
    for (const run of finishedRuns(4)) {
      tracer.record(bot, run);
      await tracer.idle();
    }
    expect(h.receiver.requests()).toHaveLength(3);
    await h.tick(FLUSH_MS, tracer);
    expect(h.receiver.requests().map((r) => r.spans)).toEqual([10, 10, 5, 4]);
  });

  it('keeps every span through a 30-second collector outage and delivers each once after it', async () => {
    const h = await harness({ maxBatchSize: 20 });
    const tracer = h.pipeline();
    tracer.start();
    const before = finishedRuns(50);
    for (const run of before) tracer.record(bot, run);
    await tracer.idle();
    expect(h.receiver.spans()).toHaveLength(40); // two full batches went out before the outage

    h.receiver.mode = 'unavailable';
    const during = finishedRuns(30);
    for (const run of during.slice(0, 15)) tracer.record(bot, run);
    for (let s = 0; s < 15; s++) await h.tick(1_000, tracer);
    await h.receiver.down(); // second half of the outage: connection refused
    for (const run of during.slice(15)) tracer.record(bot, run);
    for (let s = 0; s < 15; s++) {
      await h.tick(1_000, tracer);
      expect(tracer.snapshot()).toHaveLength(10 + 30);
    }
    expect(h.receiver.spans()).toHaveLength(40);
    expect(h.metrics.queued).toBe(40);
    expect(h.metrics.exportedTotal).toBe(40);
    const outageWarnings = h.lines.filter((l) => l.level === WARN && /does not accept spans/.test(l.msg));
    expect(outageWarnings).toHaveLength(1);

    await h.receiver.up();
    h.receiver.mode = 'accept';
    for (let s = 0; s < 60 && h.receiver.spans().length < 80; s++) await h.tick(1_000, tracer);

    const expected = [...before, ...during].map((r) => traceOf(r.runId)).sort();
    expect(traceIds(h.receiver.spans())).toEqual(expected); // all of them, none twice
    expect(h.metrics.exportedTotal).toBe(80);
    expect(h.metrics.queued).toBe(0);
    expect(h.metrics.droppedTotal).toEqual({ outbox_full: 0, rejected: 0 });
    expect(tracer.snapshot()).toEqual([]);
    const recovered = h.lines.find((l) => l.msg === 'collector accepts spans again');
    expect(recovered?.outageSeconds).toBeGreaterThanOrEqual(30);
  });

  it('backs off between retries instead of hammering a collector that is down', async () => {
    const h = await harness({ maxBatchSize: 5 });
    h.receiver.mode = 'unavailable';
    const tracer = h.pipeline();
    tracer.start();
    for (const run of finishedRuns(5)) tracer.record(bot, run);
    await tracer.idle();
    // Attempts at 0 s, then after waiting 1, 2, 4, 8, 16 s (31 s), then every 30 s (61 s, 91 s).
    const attemptsAt = async (seconds: number) => {
      while (h.timers.clock.now() < start + seconds * 1_000) await h.tick(1_000, tracer);
      return h.receiver.requests().length;
    };
    const start = h.timers.clock.now();
    expect(await attemptsAt(30)).toBe(5);
    expect(await attemptsAt(31)).toBe(6);
    expect(await attemptsAt(60)).toBe(6);
    expect(await attemptsAt(61)).toBe(7);
    expect(await attemptsAt(90)).toBe(7);
    expect(await attemptsAt(91)).toBe(8);
  });

  it('sends a batch as soon as half the outbox waits, however large max_batch_size is', async () => {
    // Catch-up reads on only while the outbox is under half full: with a batch larger than that,
    // the spans of a backlog waited for the flush timer, and the poller gave its windows up.
    const h = await harness({ maxBatchSize: 512, maxOutboxSpans: 500 });
    const tracer = h.pipeline();
    tracer.start();
    const runs = finishedRuns(250);
    for (const run of runs) tracer.record(bot, run);
    expect(tracer.spareCapacity()).toBe(0);
    await tracer.idle(); // no timer moved
    expect(h.receiver.requests()).toHaveLength(1);
    expect(traceIds(h.receiver.spans())).toEqual(runs.map((r) => traceOf(r.runId)).sort());
    expect(tracer.spareCapacity()).toBe(250);
  });

  it('past the outbox bound drops the oldest spans, counts them and warns once', async () => {
    const h = await harness({ maxBatchSize: 5, maxOutboxSpans: 20 });
    h.receiver.mode = 'unavailable';
    const tracer = h.pipeline();
    const runs = finishedRuns(50);
    for (const run of runs) tracer.record(bot, run);
    expect(h.metrics.droppedTotal.outbox_full).toBe(30);
    expect(h.metrics.queued).toBe(20);
    expect(tracer.snapshot().map((r) => r.runId)).toEqual(runs.slice(30).map((r) => r.runId));
    const warnings = h.lines.filter((l) => l.level === WARN && /outbox full/.test(l.msg));
    expect(warnings).toHaveLength(1);

    tracer.start();
    await tracer.idle();
    h.receiver.mode = 'accept';
    for (let s = 0; s < 60 && h.receiver.spans().length < 20; s++) await h.tick(1_000, tracer);
    expect(traceIds(h.receiver.spans())).toEqual(runs.slice(30).map((r) => traceOf(r.runId)).sort());
  });

  it('drops and counts a batch the collector rejects for good (HTTP 400) instead of retrying it forever', async () => {
    const h = await harness({ maxBatchSize: 5 });
    h.receiver.mode = 'reject';
    const tracer = h.pipeline();
    tracer.start();
    for (const run of finishedRuns(5)) tracer.record(bot, run);
    await tracer.idle();
    for (let s = 0; s < 10; s++) await h.tick(1_000, tracer);
    expect(h.receiver.requests()).toHaveLength(1);
    expect(h.metrics.droppedTotal.rejected).toBe(5);
    expect(tracer.snapshot()).toEqual([]);
    expect(h.lines.filter((l) => /rejected a batch/.test(l.msg))).toHaveLength(1);
  });

  it('returns from record() at once while the collector hangs', async () => {
    const h = await harness({ maxBatchSize: 100 });
    h.receiver.mode = 'hang';
    const tracer = h.pipeline();
    tracer.start();
    for (const run of finishedRuns(250)) tracer.record(bot, run);
    // Two batches hang on the collector, the rest waits; nothing was lost or blocked.
    expect(tracer.snapshot()).toHaveLength(250);
    expect(h.metrics.queued).toBe(250);
    await h.receiver.close();
    await tracer.idle();
    expect(tracer.snapshot()).toHaveLength(250);
  });
});
