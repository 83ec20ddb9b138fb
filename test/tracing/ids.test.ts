import { describe, expect, it } from 'vitest';
import * as crypto from 'node:crypto';
import { spanIdForTrace, traceIdForRun, traceWordsForRun, writeSpanIds } from '../../src/tracing/ids.js';

describe('traceIdForRun', () => {
  it('is the run UUID without dashes, lowercased', () => {
    expect(traceIdForRun('1F3C5A2E-9B7D-4C1E-8A2B-3D4E5F607182')).toBe('1f3c5a2e9b7d4c1e8a2b3d4e5f607182');
  });

  it.each(['not-a-uuid', '', '00000000-0000-0000-0000-000000000000', '1f3c5a2e9b7d4c1e8a2b3d4e5f6071'])(
    'gives %j a stable, valid 32-hex id all the same',
    (runId) => {
      const id = traceIdForRun(runId);
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(id).not.toBe('0'.repeat(32));
      expect(traceIdForRun(runId)).toBe(id);
    },
  );
});

describe('spanIdForTrace', () => {
  it('is the last 16 hex digits of the trace id, or the first 16 when those are zeros', () => {
    expect(spanIdForTrace('1f3c5a2e9b7d4c1e8a2b3d4e5f607182')).toBe('8a2b3d4e5f607182');
    expect(spanIdForTrace('1f3c5a2e9b7d4c1e0000000000000000')).toBe('1f3c5a2e9b7d4c1e');
  });

  it('is 16 hex digits, not zero, the same every time and different per trace', () => {
    const a = spanIdForTrace('1f3c5a2e9b7d4c1e8a2b3d4e5f607182');
    const b = spanIdForTrace('1f3c5a2e9b7d4c1e8a2b3d4e5f607183');
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(a).not.toBe('0'.repeat(16));
    expect(spanIdForTrace('1f3c5a2e9b7d4c1e8a2b3d4e5f607182')).toBe(a);
    expect(b).not.toBe(a);
  });
});

describe('writeSpanIds', () => {
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
  it.each([
    crypto.randomUUID(),
    crypto.randomUUID().toUpperCase(),
    '00000000-0000-0000-0000-000000000000',
    '1f3c5a2e-9b7d-4c1e-0000-000000000000',
    '1f3c5a2e9b7d4c1e8a2b3d4e5f607182',
    'not-a-uuid',
    '',
    'ünïcode-run-id',
  ])('writes the bytes (and words) of traceIdForRun and spanIdForTrace for %j', (runId) => {
    const traceId = new Uint8Array(16);
    const spanId = new Uint8Array(8);
    writeSpanIds(runId, traceId, spanId);
    expect(hex(traceId)).toBe(traceIdForRun(runId));
    expect(hex(spanId)).toBe(spanIdForTrace(traceIdForRun(runId)));
    const words = new Uint32Array(4);
    traceWordsForRun(runId, words);
    expect([...words].map((w) => w.toString(16).padStart(8, '0')).join('')).toBe(traceIdForRun(runId));
  });
});
