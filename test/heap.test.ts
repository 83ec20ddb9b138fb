/** The heap's growing factor: 50 % above the live heap, but never less room than a young generation and a margin. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { growingPercentFor, HEAP_GROWING_PERCENT, limitHeapGrowth, MIN_SPARE_MB } from '../src/heap.js';

const MB = 1024 * 1024;

/** A full collection, as V8 runs one (the observer sees it as such). */
function fullGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('growingPercentFor', () => {
  it('is 50 % for a live heap large enough that 50 % of it is more than the young generation and the margin', () => {
    expect(growingPercentFor(200 * MB, 16 * MB)).toBe(HEAP_GROWING_PERCENT);
    expect(growingPercentFor(48 * MB, 16 * MB)).toBe(HEAP_GROWING_PERCENT);
  });

  it('leaves at least the young generation and the margin above a small live heap, in steps of 10', () => {
    // 16 MB of young generation + 8 MB above 20 MB live: 120 %.
    expect(growingPercentFor(20 * MB, 16 * MB)).toBe(120);
    const percent = growingPercentFor(33 * MB, 16 * MB);
    expect(percent % 10).toBe(0);
    expect((33 * MB * percent) / 100).toBeGreaterThanOrEqual((16 + MIN_SPARE_MB) * MB);
    expect((33 * MB * (percent - 10)) / 100).toBeLessThan((16 + MIN_SPARE_MB) * MB);
  });

  it('stays within V8 own largest factor (4) for a nearly empty heap', () => {
    expect(growingPercentFor(0, 16 * MB)).toBe(300);
  });
});

describe('limitHeapGrowth', () => {
  it('sets the percent at once and again after a full collection, as the live heap changes', async () => {
    const set: string[] = [];
    let live = 20 * MB;
    const growth = limitHeapGrowth({ execArgv: [], sizes: () => ({ old: live, young: 16 * MB }), setFlags: (f) => set.push(f) });
    try {
      expect(set).toEqual(['--heap-growing-percent=120']);
      live = 200 * MB;
      fullGc();
      // The observer hears of the collection on a later turn of the event loop.
      for (let i = 0; i < 100 && set.length < 2; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(set).toEqual(['--heap-growing-percent=120', '--heap-growing-percent=50']);
      expect(growth.percent).toBe(50);
    } finally {
      growth.stop();
    }
    live = 20 * MB;
    fullGc();
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(set).toHaveLength(2);
  });

  it('leaves a --heap-growing-percent from the command line alone', () => {
    const set: string[] = [];
    const growth = limitHeapGrowth({ execArgv: ['--heap-growing-percent=80'], setFlags: (f) => set.push(f) });
    expect([growth.percent, set]).toEqual([null, []]);
  });
});
