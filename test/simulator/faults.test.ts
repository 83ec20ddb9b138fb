import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { DifySimulator } from '../../src/simulator/simulator.js';
import { get } from './http.js';

let sim: DifySimulator;
let base: string;

beforeEach(async () => {
  sim = new DifySimulator({ clock: new ManualClock(Date.UTC(2025, 0, 1)) });
  sim.addApp({ apiKey: 'k1', name: 'one' }).addFinishedRun();
  sim.addApp({ apiKey: 'k2', name: 'two' });
  base = await sim.listen();
});
afterEach(() => sim.close());

const logs = (key = 'k1') => get(base, '/workflows/logs', key);

describe('fault injection', () => {
  it.each([
    ['http_500', 500, 'application/json'],
    ['http_502', 502, 'text/html'],
    ['http_503', 503, 'text/html'],
    ['http_401', 401, 'application/json'],
    ['http_403', 403, 'application/json'],
  ] as const)('%s answers %d once, then the real answer', async (kind, status, type) => {
    sim.faults.inject({ kind });
    const bad = await logs();
    expect(bad.status).toBe(status);
    expect(bad.headers.get('content-type')).toBe(type);
    if (type === 'application/json') expect(bad.json).toMatchObject({ code: expect.any(String), status });
    expect((await logs()).status).toBe(200);
    expect(sim.requests.map((r) => r.fault)).toEqual([kind, null]);
  });

  it('http_429 sends Retry-After', async () => {
    sim.faults.inject({ kind: 'http_429', retryAfterSeconds: 7, times: 2 });
    const first = await logs();
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('7');
    expect((await logs()).status).toBe(429);
    expect((await logs()).status).toBe(200);
  });

  it('malformed_json and wrong_shape answer 200 with a body a client must reject', async () => {
    sim.faults.inject({ kind: 'malformed_json' });
    sim.faults.inject({ kind: 'wrong_shape' });
    const broken = await logs();
    expect(broken.status).toBe(200);
    expect(() => JSON.parse(broken.text)).toThrow();
    const odd = await logs();
    expect(odd.json).toBeDefined();
    expect(Array.isArray(odd.json.data)).toBe(false);
  });

  it('reset closes the connection without an answer', async () => {
    sim.faults.inject({ kind: 'reset' });
    await expect(logs()).rejects.toThrow();
    expect((await logs()).status).toBe(200);
    expect(sim.requests[0]).toMatchObject({ fault: 'reset', status: 0 });
  });

  it('slow delays the real answer by delayMs (a client timeout fires first)', async () => {
    sim.faults.inject({ kind: 'slow', delayMs: 300 });
    const started = Date.now();
    await expect(get(base, '/workflows/logs', 'k1', { signal: AbortSignal.timeout(30) })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(250);
    sim.faults.inject({ kind: 'slow', delayMs: 60 });
    const t = Date.now();
    const res = await logs();
    expect(res.status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(55);
  });

  it('matches rules by path prefix and API key; clear() drops them', async () => {
    sim.faults.inject({ kind: 'http_500', apiKey: 'k2' });
    sim.faults.inject({ kind: 'http_503', path: '/v1/info' });
    expect((await logs('k1')).status).toBe(200);
    expect((await get(base, '/info', 'k1')).status).toBe(503);
    expect((await logs('k2')).status).toBe(500);
    sim.faults.inject({ kind: 'http_500', times: 10 });
    expect(sim.faults.pending).toBe(10);
    sim.faults.clear();
    expect((await logs()).status).toBe(200);
  });

  it('a seeded failure rate fails about that share of requests, the same ones each time', async () => {
    const run = async () => {
      sim.faults.setFailureRate({ kind: 'http_503', rate: 0.3, seed: 42 });
      const statuses: number[] = [];
      for (let i = 0; i < 60; i++) statuses.push((await logs()).status);
      sim.faults.setFailureRate({ kind: 'http_503', rate: 0 });
      return statuses;
    };
    const first = await run();
    const failures = first.filter((s) => s === 503).length;
    expect(failures).toBeGreaterThan(8);
    expect(failures).toBeLessThan(30);
    expect(await run()).toEqual(first);
    expect((await logs()).status).toBe(200);
  });
});
