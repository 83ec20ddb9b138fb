import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../src/tracing/ring-buffer.js';

describe('RingBuffer', () => {
  it('keeps order across wrap-around, at both ends', () => {
    const b = new RingBuffer<number>(4);
    for (const n of [1, 2, 3]) b.push(n);
    expect(b.shift()).toBe(1);
    b.push(4);
    b.push(5); // wraps
    expect(b.full).toBe(true);
    expect(b.toArray()).toEqual([2, 3, 4, 5]);
    const front = b.takeFront(2);
    expect(front).toEqual([2, 3]);
    b.push(6);
    b.unshiftAll(front.slice(1));
    expect(b.toArray()).toEqual([3, 4, 5, 6]);
  });

  it('refuses to overflow instead of overwriting', () => {
    const b = new RingBuffer<number>(1);
    b.push(1);
    expect(() => b.push(2)).toThrow(/full/);
    expect(() => b.unshiftAll([0])).toThrow(/full/);
    expect(() => new RingBuffer(0)).toThrow(/positive/);
  });
});
