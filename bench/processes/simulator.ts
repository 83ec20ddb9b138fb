/**
 * Benchmark child: the Dify simulator on loopback, loaded with finished runs on request.
 * Runs alone in its process so serving pages does not steal the exporter's event loop.
 */
import { DifySimulator, type SimApp } from '../../src/simulator/simulator.js';
import { serve } from '../lib/ipc.js';
import { cpuSecondsSince, memoryStats } from '../lib/proc-stats.js';

const sim = new DifySimulator({ seed: 7 });
const apps: SimApp[] = [];
let baseUrl = '';
const cpuStart = process.cpuUsage();

export interface BacklogArgs {
  /** Apps to create if fewer exist. */
  apps: number;
  perApp: number;
  fromMs: number;
  toMs: number;
  seed: number;
}

function addBacklog(a: BacklogArgs): { keys: string[]; rows: number } {
  for (let i = apps.length; i < a.apps; i++) {
    apps.push(sim.addApp({ apiKey: `app-bench-key-${String(i).padStart(4, '0')}`, name: `bench-app-${String(i).padStart(3, '0')}` }));
  }
  apps.slice(0, a.apps).forEach((app, i) => app.addFinishedBacklog(a.perApp, { fromMs: a.fromMs, toMs: a.toMs, seed: a.seed * 1000 + i }));
  return { keys: apps.slice(0, a.apps).map((app) => app.apiKey), rows: apps.reduce((n, app) => n + app.rowCount, 0) };
}

serve({
  async listen() {
    baseUrl ||= await sim.listen();
    return baseUrl;
  },
  addBacklog: (a: BacklogArgs) => addBacklog(a),
  requestCount: () => sim.requestCount(),
  stats: () => ({ ...memoryStats(), cpuSeconds: cpuSecondsSince(cpuStart), requests: sim.requestCount() }),
});
