/** A poller harness whose client can rewrite pages, to plant rows a real Dify (or proxy) might send. */
import { afterEach } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { DifyClient, type LogsQuery } from '../../src/dify/client.js';
import type { FinishedRun } from '../../src/model/run.js';
import { LogPoller, type PollSettings } from '../../src/poller/log-poller.js';
import { TargetState } from '../../src/state/target-state.js';
import { DifySimulator, type SimApp } from '../../src/simulator/simulator.js';
import type { WireLogsPage } from '../../src/dify/wire.js';

export const T0 = Date.UTC(2026, 10, 20, 12, 0, 0) + 300;
export const defaultSettings: PollSettings = {
  pageLimit: 100,
  maxLookupsPerPoll: 20,
  rescanWindowMs: 10 * 60_000,
  pollIntervalMs: 15_000,
  overlapSeconds: 5, // the config default (poll.overlap: 5s)
  maxPendingRuns: 100_000,
  maxPendingAgeMs: 30 * 86_400_000,
  maxPagesPerPoll: 500,
};

/** A client that can rewrite every logs page (to plant rows Dify might send), asked for ahead or not. */
export class TamperingClient extends DifyClient {
  tamper: (q: LogsQuery, page: WireLogsPage) => WireLogsPage = (_q, p) => p;
  override async listLogs(q: LogsQuery, signal?: AbortSignal) {
    return this.tamper(q, await super.listLogs(q, signal));
  }
  override async listLogsLater(q: LogsQuery, signal?: AbortSignal) {
    const later = await super.listLogsLater(q, signal);
    return { read: async () => this.tamper(q, await later.read()) };
  }
}

const sims: DifySimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

export interface Harness {
  sim: DifySimulator;
  app: SimApp;
  clock: ManualClock;
  client: TamperingClient;
  counted: Map<string, number>;
  state: TargetState;
  poller: LogPoller;
}

export async function harness(opts: { serverVersion?: string; commitDelayMs?: number; settings?: Partial<PollSettings> } = {}): Promise<Harness> {
  const clock = new ManualClock(T0);
  const sim = new DifySimulator({ clock, serverVersion: opts.serverVersion ?? '1.13.0', seed: 3, commitDelayMs: opts.commitDelayMs ?? 0 });
  sims.push(sim);
  const app = sim.addApp({ apiKey: 'app-review-key', name: 'bot' });
  const baseUrl = await sim.listen();
  const client = new TamperingClient({ baseUrl, apiKey: 'app-review-key', clock, backoff: { baseMs: 1, maxMs: 2 }, maxRetries: 0 });
  const counted = new Map<string, number>();
  const state = new TargetState(Math.floor(clock.now() / 1000));
  const poller = new LogPoller(client, state, clock, { ...defaultSettings, ...opts.settings }, (run: FinishedRun) => {
    counted.set(run.runId, (counted.get(run.runId) ?? 0) + 1);
  });
  return { sim, app, clock, client, counted, state, poller };
}
