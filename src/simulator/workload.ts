/**
 * A steady, realistic, seeded workload for the simulator: runs arrive as a Poisson process,
 * last a lognormal time (0.5 s to 10 min), a few pause for a long time (human input), and end
 * with a mix of statuses, tokens, steps and triggers. The same seed and the same `step` calls give
 * the same sequence of runs (pass `seed` to DifySimulator too for identical ids).
 *
 * Time: `step(dtMs)` moves a virtual cursor; when the simulator's clock is a ManualClock it is set to
 * each event's time, so created_at/finished_at are exact. With the system clock (the demo) events
 * are applied as real time passes, see `runRealtime`.
 */
import { ManualClock } from '../clock.js';
import { EventQueue } from './event-queue.js';
import { Prng } from './prng.js';
import type { DifySimulator, SimApp } from './simulator.js';

export interface WorkloadMix {
  /** Weights of final statuses. */
  statuses: Record<string, number>;
  /** Probability that a run ends with a status Dify does not document (for unknown-status handling). */
  unknownStatusRate: number;
  /** Probability that a run pauses (waits for human input) once. */
  pauseRate: number;
  /** Pause length range, ms. */
  pauseMs: [number, number];
  /** Median run duration, ms (lognormal, clamped to 0.5 s .. 10 min). */
  medianDurationMs: number;
  triggeredFrom: Record<string, number>;
  createdFrom: Record<string, number>;
}

export interface WorkloadOptions {
  seed: number;
  /** Mean arrivals per second, over all apps. */
  runsPerSecond: number;
  mix?: Partial<WorkloadMix>;
}

export const DEFAULT_MIX: WorkloadMix = {
  statuses: { succeeded: 88, failed: 6, 'partial-succeeded': 4, stopped: 2 },
  unknownStatusRate: 0,
  pauseRate: 0.02,
  pauseMs: [10 * 60_000, 6 * 3600_000],
  medianDurationMs: 4000,
  triggeredFrom: { 'app-run': 80, webhook: 8, schedule: 8, plugin: 4 },
  createdFrom: { 'service-api': 70, 'web-app': 25, 'installed-app': 5 },
};

const MIN_DURATION_MS = 500;
const MAX_DURATION_MS = 10 * 60_000;

type Event =
  | { atMs: number; kind: 'arrival' }
  | { atMs: number; kind: 'pause'; app: SimApp; runId: string; pauseMs: number; remainingMs: number }
  | { atMs: number; kind: 'resume'; app: SimApp; runId: string; remainingMs: number }
  | { atMs: number; kind: 'finish'; app: SimApp; runId: string };

export interface WorkloadStats {
  started: number;
  finished: number;
  paused: number;
}

export class Workload {
  private readonly rng: Prng;
  private readonly mix: WorkloadMix;
  private readonly events = new EventQueue<Event>();
  private cursorMs: number;
  readonly stats: WorkloadStats = { started: 0, finished: 0, paused: 0 };

  constructor(
    private readonly sim: DifySimulator,
    private readonly apps: readonly SimApp[],
    private readonly opts: WorkloadOptions,
  ) {
    if (apps.length === 0) throw new Error('workload: no apps');
    if (!(opts.runsPerSecond > 0)) throw new Error('workload: runsPerSecond must be > 0');
    this.rng = new Prng(opts.seed);
    this.mix = { ...DEFAULT_MIX, ...opts.mix };
    this.cursorMs = sim.clock.now();
    this.scheduleArrival();
  }

  /** Applies every event due in the next `dtMs` of simulated time. */
  step(dtMs: number): void {
    const target = this.cursorMs + dtMs;
    const manual = this.sim.clock instanceof ManualClock ? this.sim.clock : null;
    for (let e = this.events.peek(); e !== undefined && e.atMs <= target; e = this.events.peek()) {
      this.events.pop();
      this.cursorMs = e.atMs;
      if (manual) manual.set(e.atMs);
      this.apply(e);
    }
    this.cursorMs = target;
    if (manual) manual.set(target);
  }

  /** Drives the workload in real time (system clock); returns a stop function. Timer unref'd. */
  runRealtime(intervalMs = 250): () => void {
    let last = Date.now();
    const timer = setInterval(() => {
      const now = Date.now();
      this.step(now - last);
      last = now;
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  private scheduleArrival(): void {
    this.events.push({ atMs: this.cursorMs + this.rng.exponential(1000 / this.opts.runsPerSecond), kind: 'arrival' });
  }

  private duration(): number {
    const ms = this.mix.medianDurationMs * Math.exp(this.rng.normal() * 1.3);
    return Math.min(MAX_DURATION_MS, Math.max(MIN_DURATION_MS, ms));
  }

  private apply(e: Event): void {
    // A test may delete a run the workload still drives: forget it.
    if (e.kind !== 'arrival' && !e.app.hasRun(e.runId)) return;
    switch (e.kind) {
      case 'arrival':
        this.start();
        this.scheduleArrival();
        return;
      case 'pause':
        e.app.pauseRun(e.runId);
        this.stats.paused++;
        this.events.push({ atMs: e.atMs + e.pauseMs, kind: 'resume', app: e.app, runId: e.runId, remainingMs: e.remainingMs });
        return;
      case 'resume':
        e.app.resumeRun(e.runId);
        this.events.push({ atMs: e.atMs + e.remainingMs, kind: 'finish', app: e.app, runId: e.runId });
        return;
      case 'finish':
        this.finish(e.app, e.runId);
        return;
    }
  }

  private start(): void {
    const app = this.apps[this.rng.int(0, this.apps.length - 1)]!;
    const user = this.rng.int(1, 50);
    const role = this.rng.next() < 0.9 ? 'end_user' : 'account';
    const runId = app.startRun({
      triggeredFrom: this.rng.pick(this.mix.triggeredFrom),
      createdFrom: this.rng.pick(this.mix.createdFrom),
      createdByRole: role,
      sessionId: `user-${user}`,
      inputs: { query: `question ${this.stats.started + 1} from user-${user}` },
    });
    this.stats.started++;
    const duration = this.duration();
    if (this.rng.next() < this.mix.pauseRate) {
      const before = duration * this.rng.next();
      const [lo, hi] = this.mix.pauseMs;
      this.events.push({
        atMs: this.cursorMs + before,
        kind: 'pause',
        app,
        runId,
        pauseMs: lo + this.rng.next() * (hi - lo),
        remainingMs: duration - before,
      });
    } else {
      this.events.push({ atMs: this.cursorMs + duration, kind: 'finish', app, runId });
    }
  }

  private finish(app: SimApp, runId: string): void {
    const unknown = this.rng.next() < this.mix.unknownStatusRate;
    const status = unknown ? 'scheduled' : this.rng.pick(this.mix.statuses);
    const steps = this.rng.int(1, 60);
    const tokens = Math.round(Math.min(200_000, Math.max(50, 1500 * Math.exp(this.rng.normal() * 1.4))));
    app.finishRun(runId, {
      status,
      totalTokens: tokens,
      totalSteps: steps,
      exceptionsCount: status === 'partial-succeeded' ? this.rng.int(1, 3) : 0,
      error: status === 'failed' ? 'Node LLM run failed: simulated upstream timeout' : null,
      outputs: { answer: `answer with ${tokens} tokens` },
    });
    this.stats.finished++;
  }
}
