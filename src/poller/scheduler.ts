/**
 * Runs every target's poll loop concurrently: poll, wait the interval (longer after auth
 * failures), repeat. A target with a backlog polls again at once, or, when the span outbox has no
 * room for more, as soon as it has (within the interval). Timers are unref'd; stop() aborts
 * waits and in-flight requests.
 */
import { setMaxListeners } from 'node:events';
import { abortableSleep } from '../dify/sleep.js';
import type { TargetWorker } from './target-worker.js';

/**
 * How often a target held back by a full span outbox looks for room (no request is made to look):
 * soon at first, as room usually comes back within milliseconds, then less often (a collector
 * outage).
 */
export const ROOM_CHECK_FIRST_MS = 5;
export const ROOM_CHECK_MAX_MS = 500;

export interface SchedulerOptions {
  intervalMs: number;
  /** Called after every poll of any target (the state is saved from here). */
  afterPoll: (worker: TargetWorker) => Promise<void> | void;
  /** Spread the first polls of many targets over this many ms to avoid a thundering herd. */
  initialSpreadMs?: number;
  /** Waits between polls (tests record them instead of waiting). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export class PollScheduler {
  private readonly controller = new AbortController();
  private loops: Promise<void>[] = [];
  private started = false;

  constructor(
    private readonly workers: readonly TargetWorker[],
    private readonly opts: SchedulerOptions,
  ) {
    // Every target's requests and waits listen on this one signal: many targets, many listeners.
    setMaxListeners(0, this.controller.signal);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const spread = this.opts.initialSpreadMs ?? 0;
    this.loops = this.workers.map((w, i) =>
      this.loop(w, this.workers.length > 1 ? (spread * i) / this.workers.length : 0),
    );
  }

  /** One poll of every target, concurrently (for `check`, tests and benchmarks). */
  async pollAllOnce(): Promise<void> {
    await Promise.all(
      this.workers.map(async (w) => {
        await w.pollOnce(this.controller.signal);
        await this.opts.afterPoll(w);
      }),
    );
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await Promise.allSettled(this.loops);
  }

  private async loop(worker: TargetWorker, delayMs: number): Promise<void> {
    const signal = this.controller.signal;
    const sleep = this.opts.sleep ?? abortableSleep;
    await sleep(delayMs, signal);
    while (!signal.aborted) {
      await worker.pollOnce(signal);
      await this.opts.afterPoll(worker);
      await this.pause(worker, signal);
    }
  }

  private async pause(worker: TargetWorker, signal: AbortSignal): Promise<void> {
    const sleep = this.opts.sleep ?? abortableSleep;
    if (worker.behind) return sleep(0, signal);
    const intervalMs = this.opts.intervalMs * worker.authBackoffFactor;
    if (!worker.heldBack) return sleep(intervalMs, signal);
    let step = ROOM_CHECK_FIRST_MS;
    for (let waited = 0; waited < intervalMs && worker.heldBack && !signal.aborted; waited += step, step = Math.min(2 * step, ROOM_CHECK_MAX_MS)) {
      await sleep(Math.min(step, intervalMs - waited), signal);
    }
  }
}
