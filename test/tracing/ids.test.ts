import { describe, expect, it } from 'vitest';
import { spanIdForTrace, traceIdForRun } from '../../src/tracing/ids.js';

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
  it('is 16 hex digits, not zero, the same every time and different per trace', () => {
    const a = spanIdForTrace('1f3c5a2e9b7d4c1e8a2b3d4e5f607182');
    const b = spanIdForTrace('1f3c5a2e9b7d4c1e8a2b3d4e5f607183');
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(a).not.toBe('0'.repeat(16));
    expect(spanIdForTrace('1f3c5a2e9b7d4c1e8a2b3d4e5f607182')).toBe(a);
    expect(b).not.toBe(a);
  });
});
