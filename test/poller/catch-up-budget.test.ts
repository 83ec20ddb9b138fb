/**
 * The catch-up room shared by all targets: claims never add up to more than the room, room is
 * claimed page by page, and a window waits a bounded time for room before it is given up.
 */
import { describe, expect, it } from 'vitest';
import { CatchUpBudget, ROOM_WAIT_LIMIT_MS } from '../../src/poller/catch-up-budget.js';

describe('the catch-up budget', () => {
  it('grants claims out of the room left by the others, and gets runs back as they are recorded', () => {
    const budget = new CatchUpBudget(() => 250);
    const a = budget.claim(100);
    const b = budget.claim(100);
    expect([a.rows, b.rows]).toEqual([100, 100]);
    expect(budget.claim(100).rows).toBe(50);
    expect(a.extend(100)).toBe(false); // 0 left: nothing is taken
    b.used(100);
    expect(budget.available()).toBe(100);
    expect(a.extend(100)).toBe(true);
    expect(budget.available()).toBe(0);
    a.close();
    expect(budget.available()).toBe(200);
  });

  it('waits for room with growing steps and takes it when it comes; gives up after the limit', async () => {
    let room = 100;
    const waits: number[] = [];
    let waited = 0;
    const budget = new CatchUpBudget(
      () => room,
      async (ms) => {
        waits.push(ms);
        waited += ms;
        if (waited >= 50) room = 200; // exports complete after ~50 ms
      },
    );
    const claim = budget.claim(100);
    expect(await claim.extendWhenRoom(100)).toBe(true);
    expect(waits).toEqual([2, 4, 8, 16, 32]);
    expect(budget.available()).toBe(0);

    waits.length = 0;
    expect(await claim.extendWhenRoom(100)).toBe(false); // the collector stays away
    expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(ROOM_WAIT_LIMIT_MS);
    expect(waits.reduce((a, b) => a + b, 0)).toBeLessThan(ROOM_WAIT_LIMIT_MS + 100);
    expect(Math.max(...waits)).toBe(100);
    claim.close();
    expect(budget.available()).toBe(200);
  });

  it('without tracing, the room never runs out', async () => {
    const budget = new CatchUpBudget();
    const claim = budget.claim(100);
    expect(claim.rows).toBe(100);
    expect(claim.extend(1e9)).toBe(true);
    expect(await claim.extendWhenRoom(100)).toBe(true);
    expect(budget.available()).toBe(Infinity);
  });
});
