import { describe, expect, it } from 'vitest';
import { formatValue } from '../../src/metrics/exposition/format.js';
import { Prng } from '../../src/simulator/prng.js';

/** What the exposition has always written: String(v), with +Inf/-Inf for the infinities. */
const reference = (v: number): string => (v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));

describe('formatValue', () => {
  it('writes what String() writes, for whole numbers, fractions, sums with rounding noise and exact ties', () => {
    const rng = new Prng(7);
    const values: number[] = [0, -0, 1, -1, 0.1 + 0.2, 1e-6, 1.5e-6, 9.99e-7, 1e15, 1e15 + 0.5, 999_999_999_999_999.9, 2 ** 53, 2 ** 53 + 2, 1e21, 1e300, 5e-324, -123.456];
    // Exact ties at 16 and 17 digits (toPrecision rounds them up, String to the even digit).
    values.push(74_600_499_200_326.125, -74_600_499_200_326.125, 0.24677276611328125, 0.16030120849609375);
    let sum = 0;
    for (let i = 0; i < 30_000; i++) {
      const r = rng.next();
      sum += Math.round(r * 100_000) / 1000;
      values.push(
        r,
        r * 1e14,
        -r * 1e10,
        r * 1e-5,
        Math.round(r * 1e6) / 1000,
        sum,
        2 ** Math.floor(r * 120 - 60),
        (Math.floor(r * 2 ** 20) / 2 ** Math.floor(rng.next() * 30)) * 2 ** Math.floor(rng.next() * 40),
      );
    }
    const wrong = values.filter((v) => formatValue(v) !== reference(v));
    expect(wrong.map((v) => [reference(v), formatValue(v)])).toEqual([]);
  });

  it('writes NaN and the infinities as the exposition formats spell them', () => {
    expect([NaN, Infinity, -Infinity].map(formatValue)).toEqual(['NaN', '+Inf', '-Inf']);
  });
});
