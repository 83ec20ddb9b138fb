/**
 * Scenario 4: API requests per poll per app when idle and when runs arrive, and the state file
 * for many pending runs. Runs in one child process (simulator and exporter share a ManualClock).
 */
import { startChild } from '../lib/ipc.js';
import type { MemoryStats } from '../lib/proc-stats.js';

export interface SteadyOptions {
  apps: number;
  polls: number;
  /** Arrival rates to measure, runs per second over all apps. */
  rates: number[];
  pending: number;
}

export interface RequestWindow {
  polls: number;
  requests: number;
  scanPages: number;
  lookups: number;
  newRows: number;
  floorRequests: number;
  pendingAvg: number;
}

export interface SteadyResult {
  apps: number;
  idle: RequestWindow;
  arriving: Array<RequestWindow & { runsPerSecond: number }>;
  pendingState: {
    pending: number;
    stateBytes: number;
    saveMs: number;
    nextPollRequests: number;
    nextPollMs: number;
    memory: MemoryStats;
  };
}

export async function runSteadyState(o: SteadyOptions, log: (line: string) => void): Promise<SteadyResult> {
  const child = await startChild('steady');
  try {
    const r = await child.call<Pick<SteadyResult, 'idle' | 'arriving'>>('requests', { apps: o.apps, polls: o.polls, rates: o.rates });
    log(`steady: idle ${r.idle.requests.toFixed(2)} requests/poll/app; ${r.arriving.map((w) => `${w.runsPerSecond} runs/s: ${w.requests.toFixed(2)} (floor ${w.floorRequests.toFixed(2)})`).join('; ')}`);
    await child.close();
    const second = await startChild('steady');
    try {
      const pendingState = await second.call<SteadyResult['pendingState']>('pendingState', { pending: o.pending });
      log(`steady: ${pendingState.pending.toLocaleString('en')} pending runs: state file ${(pendingState.stateBytes / 1e6).toFixed(1)} MB, save ${pendingState.saveMs.toFixed(0)} ms`);
      return { apps: o.apps, ...r, pendingState };
    } finally {
      await second.close();
    }
  } finally {
    await child.close();
  }
}
