/**
 * Benchmark child: the Dify simulator on loopback, loaded with runs on request. Runs alone in its
 * process so serving pages does not steal the exporter's event loop. With `clockMs` it runs on a
 * ManualClock that the orchestrator moves (and mirrors into the exporter child).
 */
import { ManualClock } from '../../src/clock.js';
import { DifySimulator, type SimApp } from '../../src/simulator/simulator.js';
import { Workload } from '../../src/simulator/workload.js';
import { serve } from '../lib/ipc.js';
import { cpuSecondsSince, memoryStats } from '../lib/proc-stats.js';

let sim: DifySimulator | null = null;
let clock: ManualClock | null = null;
let workload: Workload | null = null;
const apps: SimApp[] = [];
let baseUrl = '';
const cpuStart = process.cpuUsage();

function must(): DifySimulator {
  if (!sim) throw new Error('simulator: call init first');
  return sim;
}

export interface BacklogArgs {
  /** Apps to create if fewer exist. */
  apps: number;
  perApp: number;
  fromMs: number;
  toMs: number;
  seed: number;
}

function ensureApps(n: number): string[] {
  for (let i = apps.length; i < n; i++) {
    apps.push(must().addApp({ apiKey: `app-bench-key-${String(i).padStart(4, '0')}`, name: `bench-app-${String(i).padStart(3, '0')}` }));
  }
  return apps.slice(0, n).map((app) => app.apiKey);
}

serve({
  init(a: { clockMs: number | null; requestHistory?: number }) {
    clock = a.clockMs === null ? null : new ManualClock(a.clockMs);
    sim = new DifySimulator({ seed: 7, requestHistory: a.requestHistory ?? 10_000, ...(clock ? { clock } : {}) });
  },
  async listen() {
    baseUrl ||= await must().listen();
    return baseUrl;
  },
  addApps: (a: { apps: number }) => ensureApps(a.apps),
  addBacklog(a: BacklogArgs) {
    const keys = ensureApps(a.apps);
    apps.slice(0, a.apps).forEach((app, i) => app.addFinishedBacklog(a.perApp, { fromMs: a.fromMs, toMs: a.toMs, seed: a.seed * 1000 + i }));
    return { keys, rows: apps.reduce((n, app) => n + app.rowCount, 0) };
  },
  /** Starts `n` runs on app 0 (they stay running), `spacingMs` apart on the manual clock. */
  startRuns(a: { n: number; spacingMs: number }) {
    for (let i = 0; i < a.n; i++) {
      apps[0]!.startRun({ inputs: { query: `q${i}` } });
      clock!.advance(a.spacingMs);
    }
    return clock!.now();
  },
  startWorkload(a: { runsPerSecond: number; seed: number }) {
    workload = new Workload(must(), apps, { seed: a.seed, runsPerSecond: a.runsPerSecond });
  },
  stopWorkload() {
    workload = null;
  },
  /** Moves the manual clock (through the workload, if one runs); returns the new time and rows per app. */
  step(a: { ms: number }) {
    if (workload) workload.step(a.ms);
    else clock!.advance(a.ms);
    return { nowMs: clock!.now(), rows: apps.map((app) => app.rowCount) };
  },
  /** Listing requests since the last call: regular scan pages and single-run look-ups (keyword). */
  takeRequests() {
    const s = must();
    let scan = 0;
    let lookups = 0;
    for (const r of s.requests) {
      if (r.path !== '/v1/workflows/logs') continue;
      if (r.query.keyword !== undefined) lookups++;
      else scan++;
    }
    const total = s.requestCount();
    s.resetRequests();
    return { total, scan, lookups };
  },
  requestCount: () => must().requestCount(),
  /** Answers every listing request `ms` later (0: at once), as a Dify across a network would. */
  setLatency(a: { ms: number }) {
    must().faults.setFailureRate({ kind: 'slow', rate: a.ms > 0 ? 1 : 0, delayMs: a.ms });
  },
  stats: () => ({ ...memoryStats(), cpuSeconds: cpuSecondsSince(cpuStart), requests: sim?.requestCount() ?? 0 }),
});
