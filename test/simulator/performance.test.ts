import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DifySimulator, type SimApp } from '../../src/simulator/simulator.js';
import { ManualClock } from '../../src/clock.js';
import { get, qs } from './http.js';

// Benchmarks push 200,000 rows through the simulator: loading and paging must stay cheap.
const FROM = Date.UTC(2025, 0, 1);
const TO = FROM + 24 * 3600_000;
let sim: DifySimulator;
let apps: SimApp[];
let base: string;
let loadMs: number;

beforeAll(async () => {
  sim = new DifySimulator({ clock: new ManualClock(TO) });
  apps = Array.from({ length: 20 }, (_, i) => sim.addApp({ apiKey: `key-${i}`, name: `app-${i}` }));
  const t = performance.now();
  apps.forEach((app, i) => app.addFinishedBacklog(10_000, { fromMs: FROM, toMs: TO, seed: i + 1 }));
  loadMs = performance.now() - t;
  base = await sim.listen();
});
afterAll(() => sim.close());

describe('simulator at benchmark scale', () => {
  it('loads 200,000 finished runs across 20 apps in well under the benchmark budget', () => {
    expect(apps.reduce((n, a) => n + a.rowCount, 0)).toBe(200_000);
    expect(loadMs).toBeLessThan(3000);
  });

  it('pages through one app completely, newest first, each row once', async () => {
    const seen = new Set<string>();
    let last = Infinity;
    let pages = 0;
    for (let page = 1; ; page++) {
      const { json } = await get(base, '/workflows/logs' + qs({ page, limit: 100 }), 'key-3');
      pages++;
      for (const row of json.data) {
        expect(row.created_at).toBeLessThanOrEqual(last);
        last = row.created_at;
        seen.add(row.id);
      }
      if (!json.has_more) break;
      expect(page).toBeLessThan(200);
    }
    expect(pages).toBe(100);
    expect(seen.size).toBe(10_000);
  });

  it('answers a windowed page of a large app without scanning it (bounded latency)', async () => {
    const after = new Date(TO - 60_000).toISOString();
    const t = performance.now();
    for (let i = 0; i < 50; i++) {
      const res = await get(base, '/workflows/logs' + qs({ limit: 100, created_at__after: after }), 'key-0');
      expect(res.status).toBe(200);
    }
    expect((performance.now() - t) / 50).toBeLessThan(20);
  });

  it('builds the same backlog for the same seed', () => {
    const other = new DifySimulator().addApp({ apiKey: 'again', name: 'again' });
    other.addFinishedBacklog(10_000, { fromMs: FROM, toMs: TO, seed: 6 });
    expect(other.finishedRuns()).toEqual(apps[5]!.finishedRuns());
  });

  it('keeps ground truth consistent with the rows', () => {
    const truth = apps[5]!.finishedRuns();
    expect(truth.length).toBe(10_000);
    expect(new Set(truth.map((r) => r.logId)).size).toBe(10_000);
    expect(truth.every((r) => r.createdAt * 1000 >= FROM && r.createdAt * 1000 < TO)).toBe(true);
  });
});
