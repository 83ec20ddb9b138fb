/** Sizing a catch-up window: few probes, and a window that holds rows when rows are there. */
import { describe, expect, it } from 'vitest';
import type { WireLogsPage } from '../../src/dify/wire.js';
import { findWindow } from '../../src/poller/catch-up-window.js';

/** Dify's first page of [after, end] over rows at these seconds (only `total` matters here). */
function rowsAt(seconds: number[]): { firstPage: (after: number, end: number) => Promise<WireLogsPage>; probes: number } {
  const out = {
    probes: 0,
    firstPage: async (after: number, end: number): Promise<WireLogsPage> => {
      out.probes++;
      const total = seconds.filter((s) => s >= after && s <= end).length;
      return { page: 1, limit: 100, total, has_more: total > 100, data: [] };
    },
  };
  return out;
}

const spread = (rows: number, from: number, to: number) => Array.from({ length: rows }, (_, i) => from + Math.floor((i * (to - from)) / rows));

describe('findWindow', () => {
  it('sized from the first row, a backlog far above the horizon fills its window at the first probe', async () => {
    const dify = rowsAt(spread(10_000, 1_000, 2_000));
    const w = await findWindow(0, 2_000, 10_000, 2_500, dify.firstPage, 1_000);
    expect(w.first.total).toBeGreaterThanOrEqual(1_250);
    expect(w.first.total).toBeLessThanOrEqual(2_500);
    expect(dify.probes).toBe(1);
  });

  it('when the first guess overflows, narrows from the first row, not into the empty seconds below it', async () => {
    // Half the rows in the first 200 seconds after the first row: the even-spread guess overflows.
    const dify = rowsAt([...spread(5_000, 1_000, 1_200), ...spread(5_000, 1_200, 2_000)]);
    const w = await findWindow(0, 2_000, 10_000, 2_500, dify.firstPage, 1_000);
    expect(w.first.total).toBeGreaterThan(0);
    expect(w.first.total).toBeLessThanOrEqual(2_500);
    expect(dify.probes).toBeLessThanOrEqual(4);
  });

  it('with more rows than the budget in one second, ends the window just before that second', async () => {
    const dify = rowsAt(spread(10_000, 1_000, 1_001));
    const w = await findWindow(500, 2_000, 10_000, 2_500, dify.firstPage, 1_000);
    expect(w.first.total).toBe(0);
    expect(w.end).toBeLessThan(1_000);
    expect(w.end).toBeGreaterThanOrEqual(500);
    expect(dify.probes).toBeLessThanOrEqual(12);
  });

  it('a cluster just over the budget far from the first guess is narrowed in few probes, to a window close below it', async () => {
    // 2,600 rows in one second an hour after the horizon, 20,000 over the last day of two.
    const dify = rowsAt([...spread(2_600, 3_600, 3_601), ...spread(20_000, 86_400, 172_800)]);
    const w = await findWindow(0, 172_800, 22_600, 2_500, dify.firstPage);
    expect(w.first.total).toBeLessThanOrEqual(2_500);
    // Halving at least: it used to shrink by ~0.77 a probe and end one second after the horizon.
    expect(w.end).toBeGreaterThan(1_000);
    expect(w.end).toBeLessThan(3_600);
    expect(dify.probes).toBeLessThanOrEqual(5);
  });

  it('a hint above the rows (wrong, or rows deleted since) still gives a window that fits, not one second', async () => {
    const dify = rowsAt(spread(10_000, 0, 2_000));
    const w = await findWindow(0, 2_000, 10_000, 2_500, dify.firstPage, 1_500);
    expect(w.first.total).toBeLessThanOrEqual(2_500);
    expect(w.end).toBeGreaterThan(100);
    expect(dify.probes).toBeLessThanOrEqual(12);
  });

  it('without a hint, sizes from the horizon as before', async () => {
    const dify = rowsAt(spread(10_000, 0, 2_000));
    const w = await findWindow(0, 2_000, 10_000, 2_500, dify.firstPage);
    expect(w.first.total).toBeGreaterThanOrEqual(1_250);
    expect(w.first.total).toBeLessThanOrEqual(2_500);
    expect(dify.probes).toBe(1);
  });
});
