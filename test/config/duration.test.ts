import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/config/duration.js';

describe('parseDuration', () => {
  it.each([
    ['15s', 15_000],
    ['1m30s', 90_000],
    ['2h', 7_200_000],
    ['500ms', 500],
    ['0s', 0],
    ['1h2m3s4ms', 3_723_004],
    ['1.5s', 1_500],
    ['1d', 86_400_000],
    ['15', 15_000],
    [' 10m ', 600_000],
    [15, 15_000],
    [0.25, 250],
    [0, 0],
  ] as const)('%j -> %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each(['15x', '', 's', '1m 30s', '-5s', '5 s', '1.s', 'ms5', '10sm'])('rejects %j, quoting it', (input) => {
    expect(() => parseDuration(input)).toThrow(`${JSON.stringify(input)} is not a duration (use e.g. 500ms, 15s, 1m30s, 2h or a number of seconds)`);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('rejects the number %d', (input) => {
    expect(() => parseDuration(input)).toThrow('is not a duration');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [500, '500ms'],
    [15_000, '15s'],
    [90_000, '1m30s'],
    [7_200_000, '2h'],
    [3_723_004, '1h2m3s4ms'],
  ])('%d ms -> %s, which parses back', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});
