import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { DifyClient } from '../../src/dify/client.js';
import { defineMetrics } from '../../src/metrics/definitions.js';
import { MetricRegistry } from '../../src/metrics/exposition/registry.js';
import { RunRecorder } from '../../src/metrics/run-recorder.js';
import { CatchUpBudget } from '../../src/poller/catch-up-budget.js';
import { PollScheduler, ROOM_CHECK_FIRST_MS } from '../../src/poller/scheduler.js';
import { TargetWorker } from '../../src/poller/target-worker.js';
import { DifySimulator } from '../../src/simulator/simulator.js';

const sims: DifySimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

/** A target worker on the simulator at `baseUrl`, with the poll settings these tests share. */
function targetWorker(
  clock: ManualClock,
  baseUrl: string,
  apiKey: string,
  o: { maxRetries?: number; maxPagesPerPoll: number; initialLookbackMs: number; catchUpBudget?: CatchUpBudget },
): TargetWorker {
  return new TargetWorker(baseUrl, 'bot', 'target-1', {
    client: new DifyClient({ baseUrl, apiKey, ...(o.maxRetries === undefined ? {} : { maxRetries: o.maxRetries }), backoff: { baseMs: 1, maxMs: 2 } }),
    recorder: new RunRecorder(defineMetrics(new MetricRegistry()), { exemplars: false, traceWordsForRun: () => {} }),
    clock,
    logger: pino({ level: 'silent' }),
    settings: { pageLimit: 100, maxLookupsPerPoll: 5, rescanWindowMs: 600_000, pollIntervalMs: 15_000, overlapSeconds: 2, maxPendingRuns: 100, maxPendingAgeMs: 86_400_000, maxPagesPerPoll: o.maxPagesPerPoll, initialLookbackMs: o.initialLookbackMs },
    savedState: undefined,
    catchUpBudget: o.catchUpBudget ?? new CatchUpBudget(),
    onRun: () => {},
    claimName: (n) => n,
  });
}

/**
 * Runs one worker's poll loop with recorded waits instead of sleeps; `onWait` is told each wait
 * (1-based count) and returns true to stop the loop. Returns the waits.
 */
async function runLoop(worker: TargetWorker, onWait: (n: number) => boolean): Promise<number[]> {
  const waits: number[] = [];
  let stop: () => void = () => {};
  const done = new Promise<void>((resolve) => (stop = resolve));
  const scheduler = new PollScheduler([worker], {
    intervalMs: 15_000,
    afterPoll: () => {},
    sleep: async (ms) => {
      waits.push(ms);
      if (onWait(waits.length)) stop();
    },
  });
  scheduler.start();
  await done;
  await scheduler.stop();
  return waits;
}

describe('PollScheduler', () => {
  it('backs off a target whose key is refused, and returns to the interval once it works', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const sim = new DifySimulator({ clock });
    sims.push(sim);
    const baseUrl = await sim.listen();
    const worker = targetWorker(clock, baseUrl, 'app-not-yet-valid', { maxPagesPerPoll: 50, initialLookbackMs: 0 });
    const waits = await runLoop(worker, (n) => {
      if (n === 6) sim.addApp({ apiKey: 'app-not-yet-valid', name: 'bot' }); // the key is fixed
      return n === 8;
    });
    // First wait is the start spread (0); then 2x, 4x, 8x, 16x the interval while refused; back to 1x after.
    expect(waits.slice(0, 8)).toEqual([0, 30_000, 60_000, 120_000, 240_000, 480_000, 15_000, 15_000]);
    expect(sim.requestCount({ apiKey: 'app-not-yet-valid' })).toBeLessThanOrEqual(2 * 5 + 4);
  });
});

describe('TargetWorker with a backlog', () => {
  it('asks for the next poll at once only while a successful poll left a backlog, never after a failure', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const sim = new DifySimulator({ clock, serverVersion: '1.10.1' });
    sims.push(sim);
    const app = sim.addApp({ apiKey: 'app-backlog-key-0001', name: 'bot' });
    app.addFinishedBacklog(5_000, { fromMs: clock.now() - 3_600_000, toMs: clock.now() - 10_000, seed: 1 });
    const baseUrl = await sim.listen();
    const worker = targetWorker(clock, baseUrl, 'app-backlog-key-0001', { maxRetries: 0, maxPagesPerPoll: 20, initialLookbackMs: 2 * 3_600_000 });
    await worker.pollOnce();
    expect(worker.behind).toBe(true);
    sim.faults.inject({ kind: 'http_503', times: 10 });
    await worker.pollOnce();
    expect(worker.status().up).toBe(false);
    expect(worker.behind).toBe(false);
    sim.faults.clear();
    for (let i = 0; i < 10 && (i === 0 || worker.behind); i++) await worker.pollOnce();
    expect(worker.behind).toBe(false);
    expect(worker.status().counted).toBe(5_000);
  });

  it('polls a target held back by a full span outbox again as soon as there is room, not after the interval', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const sim = new DifySimulator({ clock, serverVersion: '1.10.1' });
    sims.push(sim);
    const app = sim.addApp({ apiKey: 'app-held-back-key-01', name: 'bot' });
    app.addFinishedBacklog(3_000, { fromMs: clock.now() - 3_600_000, toMs: clock.now() - 10_000, seed: 3 });
    const baseUrl = await sim.listen();
    let room = 0;
    const worker = targetWorker(clock, baseUrl, 'app-held-back-key-01', {
      maxRetries: 0,
      maxPagesPerPoll: 20,
      initialLookbackMs: 2 * 3_600_000,
      catchUpBudget: new CatchUpBudget(() => room),
    });
    const requests: number[] = [];
    const waits = await runLoop(worker, (n) => {
      requests.push(sim.requestCount({ apiKey: 'app-held-back-key-01' }));
      if (n === 4) room = Infinity; // the collector caught up
      return n === 6;
    });
    // Start spread, then checks for room further and further apart (no request to Dify), then at once.
    const first = ROOM_CHECK_FIRST_MS;
    expect(waits.slice(0, 5)).toEqual([0, first, 2 * first, 4 * first, 0]);
    expect(requests[3]).toBe(requests[1]);
    expect(requests[4]).toBeGreaterThan(requests[3]!);
    expect(worker.status().counted).toBeGreaterThan(0);
  });
});

