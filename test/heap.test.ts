/**
 * The heap's growing factor: 50 % above the live heap, but while full collections come in a burst
 * never less room than a young generation and a margin.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { BURST_END_MS, BURST_INTERVAL_MS, growingPercentFor, HEAP_GROWING_PERCENT, limitHeapGrowth, MIN_SPARE_MB, onFullCollections } from '../src/heap.js';

const MB = 1024 * 1024;

/** A full collection, as V8 runs one (the observer sees it as such). */
function fullGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Turns of the event loop until `done` (the observer hears of collections on a later turn). */
async function turnsUntil(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('growingPercentFor', () => {
  it('is 50 % outside a burst, whatever the live heap', () => {
    expect(growingPercentFor(20 * MB, 16 * MB, false)).toBe(HEAP_GROWING_PERCENT);
    expect(growingPercentFor(200 * MB, 16 * MB, false)).toBe(HEAP_GROWING_PERCENT);
  });

  it('in a burst, is 50 % for a live heap large enough that 50 % of it is the young generation and the margin', () => {
    expect(growingPercentFor(200 * MB, 16 * MB, true)).toBe(HEAP_GROWING_PERCENT);
    expect(growingPercentFor(48 * MB, 16 * MB, true)).toBe(HEAP_GROWING_PERCENT);
  });

  it('in a burst, leaves at least the young generation and the margin above a small live heap, in steps of 10', () => {
    // 16 MB of young generation + 8 MB above 20 MB live: 120 %.
    expect(growingPercentFor(20 * MB, 16 * MB, true)).toBe(120);
    const percent = growingPercentFor(33 * MB, 16 * MB, true);
    expect(percent % 10).toBe(0);
    expect((33 * MB * percent) / 100).toBeGreaterThanOrEqual((16 + MIN_SPARE_MB) * MB);
    expect((33 * MB * (percent - 10)) / 100).toBeLessThan((16 + MIN_SPARE_MB) * MB);
  });

  it('stays within V8 own largest factor (4) for a nearly empty heap', () => {
    expect(growingPercentFor(0, 16 * MB, true)).toBe(300);
  });
});

describe('limitHeapGrowth', () => {
  it('sets 50 % at once, more once full collections come in a burst, 50 % again when one comes long after', () => {
    const set: string[] = [];
    let fullCollection: (startMs: number) => void = () => {};
    let stopped = false;
    let live = 20 * MB;
    const growth = limitHeapGrowth({
      execArgv: [],
      sizes: () => ({ old: live, young: 16 * MB }),
      setFlags: (f) => set.push(f),
      onFullCollections: (listener) => {
        fullCollection = listener;
        return () => (stopped = true);
      },
    });
    expect(set).toEqual(['--heap-growing-percent=50']);
    let t = 10_000;
    const collectAfter = (ms: number) => {
      t += ms;
      fullCollection(t);
      return growth.percent;
    };
    expect(collectAfter(0)).toBe(50);
    // One within BURST_INTERVAL_MS of the last starts a burst: room for the young generation and the margin.
    expect(collectAfter(BURST_INTERVAL_MS - 1)).toBe(120);
    // In the burst, collections further apart (the larger room spaces them out) keep it going.
    live = 30 * MB;
    expect(collectAfter(BURST_END_MS - 1)).toBe(80);
    // One BURST_END_MS after the last ends it.
    expect(collectAfter(BURST_END_MS)).toBe(50);
    // Out of a burst, collections a few seconds apart stay at 50 %.
    expect(collectAfter(BURST_INTERVAL_MS + 1)).toBe(50);
    expect(set).toEqual(['--heap-growing-percent=50', '--heap-growing-percent=120', '--heap-growing-percent=80', '--heap-growing-percent=50']);
    growth.stop();
    expect(stopped).toBe(true);
  });

  it('leaves a --heap-growing-percent from the command line alone', () => {
    const set: string[] = [];
    const growth = limitHeapGrowth({ execArgv: ['--heap-growing-percent=80'], setFlags: (f) => set.push(f) });
    expect([growth.percent, set]).toEqual([null, []]);
  });
});

describe('onFullCollections', () => {
  it('hears of every full collection until stopped, with its start time', async () => {
    const starts: number[] = [];
    const stop = onFullCollections((startMs) => starts.push(startMs));
    try {
      fullGc();
      fullGc();
      await turnsUntil(() => starts.length >= 2);
      // V8 may run one of its own meanwhile: at least ours.
      expect(starts.length).toBeGreaterThanOrEqual(2);
      expect(starts.at(-1)).toBeGreaterThan(starts[0] as number);
    } finally {
      stop();
    }
    const heard = starts.length;
    fullGc();
    await turnsUntil(() => false);
    expect(starts).toHaveLength(heard);
  });
});
