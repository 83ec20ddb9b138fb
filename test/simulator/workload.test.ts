import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { DifySimulator } from '../../src/simulator/simulator.js';
import { Workload } from '../../src/simulator/workload.js';

const T0 = Date.UTC(2025, 0, 1);

function scenario(seed: number, mix = {}) {
  const clock = new ManualClock(T0);
  const sim = new DifySimulator({ clock, seed: 7 });
  const apps = [sim.addApp({ apiKey: 'a', name: 'a' }), sim.addApp({ apiKey: 'b', name: 'b' })];
  const workload = new Workload(sim, apps, { seed, runsPerSecond: 2, mix });
  return { clock, sim, apps, workload };
}

describe('Workload', () => {
  it('replays exactly for the same seed and steps, and differs for another seed', () => {
    const runOnce = (seed: number) => {
      const { apps, workload } = scenario(seed);
      for (let i = 0; i < 40; i++) workload.step(15_000);
      return apps.flatMap((a) => [...a.finishedRuns(), ...a.inProgressRuns()]);
    };
    const first = runOnce(1);
    expect(first.length).toBeGreaterThan(1000);
    expect(runOnce(1)).toEqual(first);
    expect(runOnce(2)).not.toEqual(first);
  });

  it('advances the ManualClock and produces a realistic mix', () => {
    const { clock, apps, workload } = scenario(3, { unknownStatusRate: 0.01, pauseRate: 0.05 });
    workload.step(3600_000);
    expect(clock.now()).toBe(T0 + 3600_000);
    const done = apps.flatMap((a) => a.finishedRuns());
    // ~2 runs/s for an hour.
    expect(workload.stats.started).toBeGreaterThan(6500);
    expect(workload.stats.started).toBeLessThan(7900);
    expect(done.length).toBe(workload.stats.finished);
    const byStatus = new Map<string, number>();
    for (const r of done) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    expect(byStatus.get('succeeded')! / done.length).toBeGreaterThan(0.75);
    for (const s of ['failed', 'partial-succeeded', 'stopped', 'scheduled']) expect(byStatus.get(s)).toBeGreaterThan(0);
    const range = (pick: (r: (typeof done)[number]) => number) => [Math.min(...done.map(pick)), Math.max(...done.map(pick))];
    const [minTokens, maxTokens] = range((r) => r.totalTokens);
    expect(minTokens).toBeGreaterThanOrEqual(50);
    expect(maxTokens).toBeLessThanOrEqual(200_000);
    expect(range((r) => r.totalSteps)).toEqual([1, 60]);
    expect(range((r) => r.elapsedSeconds)[0]).toBeGreaterThanOrEqual(0.5);
    expect(new Set(done.map((r) => r.triggeredFrom)).size).toBeGreaterThan(2);
    // Paused runs wait 10 min to 6 h, so after an hour some are still paused.
    const waiting = apps.flatMap((a) => a.inProgressRuns());
    expect(waiting.some((r) => r.status === 'paused')).toBe(true);
    expect(workload.stats.paused).toBeGreaterThan(0);
  });

  it('gives the same runs whether time is stepped finely or coarsely', () => {
    const fine = scenario(9);
    for (let i = 0; i < 600; i++) fine.workload.step(1000);
    const coarse = scenario(9);
    coarse.workload.step(600_000);
    const all = (s: typeof fine) => s.apps.flatMap((a) => a.finishedRuns());
    expect(all(coarse)).toEqual(all(fine));
  });

  it('keeps going when a test deletes a run it drives', () => {
    const { apps, workload } = scenario(4);
    workload.step(2000);
    for (const r of apps[0]!.inProgressRuns()) apps[0]!.deleteRun(r.runId);
    expect(() => workload.step(600_000)).not.toThrow();
  });

  it('runRealtime returns a stop function and does not keep the process alive', () => {
    const sim = new DifySimulator();
    const workload = new Workload(sim, [sim.addApp({ apiKey: 'x', name: 'x' })], { seed: 1, runsPerSecond: 5 });
    const stop = workload.runRealtime(1000);
    stop();
    stop();
  });
});
