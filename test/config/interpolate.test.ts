import { describe, expect, it } from 'vitest';
import { interpolateTree } from '../../src/config/interpolate.js';

describe('interpolateTree', () => {
  const env = { HOST: 'dify.example', PORT: '8080', EMPTY: '' };

  it.each([
    ['https://${HOST}:${PORT}/v1', 'https://dify.example:8080/v1'],
    ['${MISSING:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${HOST:-unused}', 'dify.example'],
    ['${MISSING:-}', ''],
    ['${EMPTY}', ''],
    ['$${HOST} stays', '${HOST} stays'],
    ['$HOST and $ alone', '$HOST and $ alone'],
  ])('%s -> %s', (input, output) => {
    const result = interpolateTree({ value: input }, env);
    expect(result.problems).toEqual([]);
    expect(result.raw).toEqual({ value: output });
  });

  it('leaves keys, numbers, booleans and nulls alone, and records which variables a field used', () => {
    const result = interpolateTree({ '${HOST}': 1, list: [true, null, { deep: '${HOST}${PORT}' }] }, env);
    expect(result.raw).toEqual({ '${HOST}': 1, list: [true, null, { deep: 'dify.example8080' }] });
    expect([...result.provenance]).toEqual([['list[2].deep', { kind: 'interpolated', variables: ['HOST', 'PORT'] }]]);
  });

  it('reports every unset variable and malformed reference with its field', () => {
    const result = interpolateTree({ a: '${NOPE}', b: ['${ALSO_NOPE} ${HOST}'], c: '${1BAD}', d: '${HOST' }, env);
    expect(result.problems.map((p) => p.text)).toEqual([
      'a: environment variable NOPE is not set',
      'b[0]: environment variable ALSO_NOPE is not set',
      'c: malformed ${...} reference (use ${NAME} or ${NAME:-default})',
      'd: malformed ${...} reference (use ${NAME} or ${NAME:-default})',
    ]);
  });
});
