import { describe, expect, it } from 'vitest';
import { isoParseMicros } from '../../src/simulator/iso-parse.js';

const at = (iso: string, extraMicros = 0) => Date.parse(iso) * 1000 + extraMicros;

describe('isoParseMicros (dateutil isoparse semantics)', () => {
  it.each([
    ['2025-03-04T05:06:07Z', at('2025-03-04T05:06:07Z')],
    ['2025-03-04T05:06:07z', at('2025-03-04T05:06:07Z')],
    ['2025-03-04T05:06:07', at('2025-03-04T05:06:07Z')],
    ['2025-03-04 05:06:07', at('2025-03-04T05:06:07Z')],
    ['2025-03-04T05:06:07+02:00', at('2025-03-04T03:06:07Z')],
    ['2025-03-04T05:06:07-0130', at('2025-03-04T06:36:07Z')],
    ['2025-03-04T05:06:07+02', at('2025-03-04T03:06:07Z')],
    ['2025-03-04T05:06:07.5Z', at('2025-03-04T05:06:07Z', 500_000)],
    ['2025-03-04T05:06:07,123456789Z', at('2025-03-04T05:06:07Z', 123_456)],
    ['2025-03-04T0506', at('2025-03-04T05:06:00Z')],
    ['2025-03-04T05', at('2025-03-04T05:00:00Z')],
    ['2025-03-04', at('2025-03-04T00:00:00Z')],
    ['20250304', at('2025-03-04T00:00:00Z')],
    ['2025-03', at('2025-03-01T00:00:00Z')],
    ['2025', at('2025-01-01T00:00:00Z')],
    ['2025-03-04T24:00:00', at('2025-03-05T00:00:00Z')],
  ])('%s', (text, expected) => {
    expect(isoParseMicros(text)).toBe(expected);
  });

  it.each([
    'yesterday',
    '',
    '2025-13-01',
    '2025-02-30',
    '202503',
    '2025-03-04T25:00:00',
    '2025-03-04T05:60:00',
    '2025-03-04T24:00:01',
    // '+' decoded from an un-encoded query string arrives as a space: dateutil rejects it.
    '2025-03-04T05:06:07 02:00',
    '2025-03-04T05:06:07+24:00',
    '1700000000',
  ])('rejects %j', (text) => {
    expect(isoParseMicros(text)).toBeNull();
  });
});
