/**
 * Scenario 4: API requests per poll per app when idle and when runs arrive, and the state file for
 * many pending runs. Simulator and exporter run in separate processes on manual clocks kept equal
 * by the orchestrator, so polls are exactly one interval apart without waiting in real time.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStateStore } from '../../src/state/file-store.js';
import { serialiseSnapshot } from '../../src/state/store.js';
import { TargetState } from '../../src/state/target-state.js';
import { startChild, type BenchChild } from '../lib/ipc.js';
import { median } from '../lib/stats.js';
import type { MemoryStats } from '../lib/proc-stats.js';

export interface SteadyOptions {
  apps: number;
  polls: number;
  /** Arrival rates to measure, runs per second over all apps. */
  rates: number[];
  pending: number;
}

/** Averages per poll per app. */
export interface RequestWindow {
  polls: number;
  requests: number;
  scanPages: number;
  lookups: number;
  newRows: number;
  /** max(1, ceil(new rows / 100)): what a poll needs when no run is pending. */
  floorRequests: number;
  pendingAvg: number;
}

export interface SteadyResult {
  apps: number;
  pollIntervalSeconds: number;
  idle: RequestWindow;
  arriving: Array<RequestWindow & { runsPerSecond: number }>;
  pendingState: {
    pending: number;
    stateBytes: number;
    /** One save of that state (serialise, write, fsync, rename), as after every poll of any app. */
    saveMs: number;
    /** Wall time of the polls that loaded them (all pages) and of the next poll, with the state save. */
    firstPollMs: number;
    nextPollMs: number;
    nextPollRequests: number;
    memory: MemoryStats;
  };
}

const POLL_MS = 15_000;
const T0 = Date.UTC(2026, 0, 5, 12);

interface Pair {
  sim: BenchChild;
  exporter: BenchChild;
  dir: string;
  statePath: string;
}

async function startPair(apps: number, lookbackSeconds: number, setup: (sim: BenchChild) => Promise<number>): Promise<Pair> {
  const sim = await startChild('simulator');
  const exporter = await startChild('exporter');
  const dir = mkdtempSync(join(tmpdir(), 'dify-exporter-steady-'));
  await sim.call('init', { clockMs: T0, requestHistory: 200_000 });
  const keys = await sim.call<string[]>('addApps', { apps });
  const nowMs = await setup(sim);
  const simUrl = await sim.call<string>('listen');
  const statePath = join(dir, 'state.json');
  await exporter.call('start', { simUrl, keys, sinkUrl: null, lookbackSeconds, statePath, named: true, clockMs: nowMs });
  return { sim, exporter, dir, statePath };
}

async function stopPair(p: Pair): Promise<void> {
  await p.exporter.call('stop').catch(() => undefined);
  await Promise.allSettled([p.exporter.close(), p.sim.close()]);
  rmSync(p.dir, { recursive: true, force: true });
}

interface PollResult {
  ms: number;
  pending: number[];
}

async function poll(p: Pair): Promise<PollResult> {
  return p.exporter.call<PollResult>('pollOnce');
}

/** `polls` polls, one interval of simulated time (and workload) before each. */
async function measure(p: Pair, apps: number, polls: number): Promise<RequestWindow> {
  const w = { requests: 0, scanPages: 0, lookups: 0, newRows: 0, floorRequests: 0, pendingAvg: 0 };
  let rows = (await p.sim.call<{ rows: number[] }>('step', { ms: 0 })).rows;
  await p.sim.call('takeRequests');
  for (let i = 0; i < polls; i++) {
    const step = await p.sim.call<{ nowMs: number; rows: number[] }>('step', { ms: POLL_MS });
    step.rows.forEach((n, j) => {
      const added = n - (rows[j] as number);
      w.newRows += added;
      w.floorRequests += Math.max(1, Math.ceil(added / 100));
    });
    rows = step.rows;
    await p.exporter.call('setClock', { ms: step.nowMs });
    const r = await poll(p);
    const req = await p.sim.call<{ total: number; scan: number; lookups: number }>('takeRequests');
    w.requests += req.total;
    w.scanPages += req.scan;
    w.lookups += req.lookups;
    w.pendingAvg += r.pending.reduce((a, b) => a + b, 0);
  }
  const per = polls * apps;
  return {
    polls,
    requests: w.requests / per,
    scanPages: w.scanPages / per,
    lookups: w.lookups / per,
    newRows: w.newRows / per,
    floorRequests: w.floorRequests / per,
    pendingAvg: w.pendingAvg / per,
  };
}

/**
 * Median of three saves of the state file's content as the exporter saves it after a poll:
 * each target's state serialised, then written atomically through the real file store.
 */
async function timeSave(statePath: string, copyPath: string): Promise<number> {
  const snapshot = await new FileStateStore(statePath).load();
  if (!snapshot) throw new Error('steady: no state file written');
  const states = Object.entries(snapshot.targets).map(([id, json]) => [id, json.app ?? id, TargetState.fromJSON(json)] as const);
  const store = new FileStateStore(copyPath);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const targets = new Map(states.map(([id, app, state]) => [id, state.stateText(app)] as const));
    await store.save(serialiseSnapshot(snapshot.savedAt, targets, snapshot.outbox));
    times.push(performance.now() - t0);
  }
  return median(times);
}

export async function runSteadyState(o: SteadyOptions, log: (line: string) => void): Promise<SteadyResult> {
  const pair = await startPair(o.apps, 3600, async (sim) => {
    await sim.call('addBacklog', { apps: o.apps, perApp: 50, fromMs: T0 - 3_000_000, toMs: T0 - 60_000, seed: 3 });
    return T0;
  });
  let idle: RequestWindow;
  const arriving: SteadyResult['arriving'] = [];
  try {
    await poll(pair);
    idle = await measure(pair, o.apps, o.polls);
    for (const [k, rate] of o.rates.entries()) {
      await pair.sim.call('startWorkload', { runsPerSecond: rate, seed: 20 + k });
      await measure(pair, o.apps, 8); // reach the steady mix of running, paused and finished runs
      arriving.push({ runsPerSecond: rate, ...(await measure(pair, o.apps, o.polls)) });
      await pair.sim.call('stopWorkload');
    }
  } finally {
    await stopPair(pair);
  }
  log(`steady: idle ${idle.requests.toFixed(2)} requests/poll/app; ${arriving.map((w) => `${w.runsPerSecond} runs/s: ${w.requests.toFixed(2)} (floor ${w.floorRequests.toFixed(2)})`).join('; ')}`);

  // Many pending runs on one app, started over the last two hours (most older than the re-scan window).
  const spacingMs = (2 * 3600_000) / o.pending;
  const p2 = await startPair(1, 3 * 3600, (sim) => sim.call<number>('startRuns', { n: o.pending, spacingMs }));
  try {
    // The backlog of started runs may take several polls (read in windows); poll until it is all pending.
    let first = await poll(p2);
    for (let i = 0; i < 200 && (first.pending[0] ?? 0) < o.pending; i++) {
      const before = first.pending[0] ?? 0;
      const next = await poll(p2);
      first = { ms: first.ms + next.ms, pending: next.pending };
      if ((next.pending[0] ?? 0) === before && i > 3) break;
    }
    const stateBytes = statSync(p2.statePath).size;
    await p2.sim.call('takeRequests');
    const step = await p2.sim.call<{ nowMs: number }>('step', { ms: POLL_MS });
    await p2.exporter.call('setClock', { ms: step.nowMs });
    const next = await poll(p2);
    const req = await p2.sim.call<{ total: number }>('takeRequests');
    const memory = await p2.exporter.call<MemoryStats>('memory', { gc: false });
    const saveMs = await timeSave(p2.statePath, join(p2.dir, 'copy.json'));
    const pendingState = {
      pending: first.pending[0] ?? 0,
      stateBytes,
      saveMs,
      firstPollMs: first.ms,
      nextPollMs: next.ms,
      nextPollRequests: req.total,
      memory,
    };
    log(
      `steady: ${pendingState.pending.toLocaleString('en')} pending runs: state file ${(stateBytes / 1e6).toFixed(1)} MB, save ${saveMs.toFixed(0)} ms, ` +
        `first polls ${first.ms.toFixed(0)} ms, next poll ${next.ms.toFixed(0)} ms and ${req.total} requests, ` +
        `peak RSS ${memory.peakRssMb} MB (then RSS ${memory.rssMb} MB, heap used ${memory.heapUsedMb} of ${memory.heapTotalMb} MB, external ${memory.externalMb} MB)`,
    );
    return { apps: o.apps, pollIntervalSeconds: POLL_MS / 1000, idle, arriving, pendingState };
  } finally {
    await stopPair(p2);
  }
}
