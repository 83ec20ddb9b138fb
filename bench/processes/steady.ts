/**
 * Benchmark child: API efficiency in steady state, simulator and exporter in one process on one
 * ManualClock (request counts, not timing, are measured here, so sharing the loop is harmless):
 * requests per poll per app when idle and when runs arrive, and the state file with many pending runs.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock.js';
import { createLogger } from '../../src/log.js';
import { createExporter, type Exporter } from '../../src/main.js';
import { DifySimulator, type SimApp } from '../../src/simulator/simulator.js';
import { Workload } from '../../src/simulator/workload.js';
import { FileStateStore } from '../../src/state/file-store.js';
import { serve } from '../lib/ipc.js';
import { benchConfig } from '../lib/exporter-config.js';
import { memoryStats } from '../lib/proc-stats.js';

const POLL_MS = 15_000;
const T0 = Date.UTC(2026, 0, 5, 12);
const logger = createLogger({ level: 'warn', destination: process.stderr });

interface World {
  clock: ManualClock;
  sim: DifySimulator;
  apps: SimApp[];
  exporter: Exporter;
  dir: string;
}

async function world(apps: number, lookbackSeconds: number): Promise<World> {
  const clock = new ManualClock(T0);
  const sim = new DifySimulator({ clock, seed: 11, requestHistory: 100_000 });
  const list = Array.from({ length: apps }, (_, i) => sim.addApp({ apiKey: `app-steady-key-${String(i).padStart(4, '0')}`, name: `steady-${i}` }));
  const simUrl = await sim.listen();
  const dir = mkdtempSync(join(tmpdir(), 'dify-exporter-steady-'));
  const config = benchConfig({ simUrl, keys: list.map((a) => a.apiKey), sinkUrl: null, lookbackSeconds, statePath: join(dir, 'state.json'), named: true });
  const exporter = await createExporter(config, { clock, autoPoll: false, logger });
  await exporter.start();
  return { clock, sim, apps: list, exporter, dir };
}

async function close(w: World): Promise<void> {
  await w.exporter.stop();
  await w.sim.close();
  rmSync(w.dir, { recursive: true, force: true });
}

interface Window {
  polls: number;
  /** Per poll per app. */
  requests: number;
  scanPages: number;
  lookups: number;
  newRows: number;
  /** One request per 100 new rows, at least one: what a poll needs without pending runs. */
  floorRequests: number;
  pendingAvg: number;
}

/** Polls `polls` times, stepping the workload (if any) one interval before each poll. */
async function measure(w: World, polls: number, workload: Workload | null): Promise<Window> {
  const apps = w.apps.length;
  let scan = 0;
  let lookups = 0;
  let newRows = 0;
  let floorRequests = 0;
  let pending = 0;
  w.sim.resetRequests();
  for (let i = 0; i < polls; i++) {
    const rowsBefore = w.apps.map((a) => a.rowCount);
    if (workload) workload.step(POLL_MS);
    else w.clock.advance(POLL_MS);
    w.apps.forEach((a, j) => {
      const added = a.rowCount - (rowsBefore[j] as number);
      newRows += added;
      floorRequests += Math.max(1, Math.ceil(added / 100));
    });
    const seen = w.sim.requests.length;
    await w.exporter.pollAllOnce();
    for (const r of w.sim.requests.slice(seen)) {
      if (r.path !== '/v1/workflows/logs') continue;
      if (r.query.keyword !== undefined) lookups++;
      else scan++;
    }
    pending += w.exporter.targets().reduce((n, t) => n + t.pending, 0);
  }
  const per = polls * apps;
  return {
    polls,
    requests: w.sim.requestCount() / per,
    scanPages: scan / per,
    lookups: lookups / per,
    newRows: newRows / per,
    floorRequests: floorRequests / per,
    pendingAvg: pending / per,
  };
}

serve({
  /** Idle polls, then polls while runs arrive at each given rate (runs per second over all apps). */
  async requests(a: { apps: number; polls: number; rates: number[] }) {
    const w = await world(a.apps, 3600);
    try {
      w.apps.forEach((app, i) => app.addFinishedBacklog(50, { fromMs: T0 - 3_000_000, toMs: T0 - 60_000, seed: 100 + i }));
      await w.exporter.pollAllOnce();
      const idle = await measure(w, a.polls, null);
      const arriving: Array<Window & { runsPerSecond: number }> = [];
      for (const [k, rate] of a.rates.entries()) {
        const workload = new Workload(w.sim, w.apps, { seed: 20 + k, runsPerSecond: rate });
        // Let the workload reach its steady mix of running, paused and finished runs first.
        await measure(w, 8, workload);
        arriving.push({ runsPerSecond: rate, ...(await measure(w, a.polls, workload)) });
      }
      return { idle, arriving, counted: w.exporter.targets().reduce((n, t) => n + t.counted, 0) };
    } finally {
      await close(w);
    }
  },
  /** One app with `pending` runs still running, started over the last two hours: state file size and save time. */
  async pendingState(a: { pending: number }) {
    const w = await world(1, 3 * 3600);
    try {
      const app = w.apps[0] as SimApp;
      const spacing = (2 * 3600_000) / a.pending;
      for (let i = 0; i < a.pending; i++) {
        app.startRun({ inputs: { query: `q${i}` } });
        w.clock.advance(spacing);
      }
      await w.exporter.pollAllOnce();
      const pending = w.exporter.targets()[0]?.pending ?? 0;
      const path = join(w.dir, 'state.json');
      const bytes = statSync(path).size;
      const store = new FileStateStore(join(w.dir, 'copy.json'));
      const snapshot = await new FileStateStore(path).load();
      if (!snapshot) throw new Error('no state file written');
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        await store.save(snapshot);
        times.push(performance.now() - t0);
      }
      w.clock.advance(POLL_MS);
      w.sim.resetRequests();
      const t0 = performance.now();
      await w.exporter.pollAllOnce();
      const pollMs = performance.now() - t0;
      return {
        pending,
        stateBytes: bytes,
        saveMs: times.sort((x, y) => x - y)[2],
        nextPollRequests: w.sim.requestCount({ path: '/v1/workflows/logs' }),
        nextPollMs: pollMs,
        memory: memoryStats(),
      };
    } finally {
      await close(w);
    }
  },
});
