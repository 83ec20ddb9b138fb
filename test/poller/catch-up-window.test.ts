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

  it('narrows to a single second full of rows and stops there', async () => {
    const dify = rowsAt(spread(10_000, 1_000, 1_001));
    const w = await findWindow(500, 2_000, 10_000, 2_500, dify.firstPage, 1_000);
    expect(w.end).toBeLessThanOrEqual(1_000);
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
