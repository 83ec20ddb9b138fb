import { describe, expect, it } from 'vitest';
import { MAX_ERROR_LENGTH, spanRecordFor, truncateError } from '../../src/tracing/span-record.js';
import { parseSpanRecord } from '../../src/tracing/span-record-json.js';
import { spanTimes } from '../../src/tracing/readable-span.js';
import { finishedRun } from './runs.js';

const target = { app: 'support-bot', mode: 'workflow', serviceName: null };

describe('spanRecordFor', () => {
  it('keeps end-user fields only when opted in', () => {
    const run = finishedRun();
    const off = spanRecordFor(target, run, { defaultServiceName: 'dify', includeEndUser: false });
    expect(JSON.stringify(off)).not.toContain('alice@example.com');
    expect(JSON.stringify(off)).not.toContain('end-user-1');
    const on = spanRecordFor(target, run, { defaultServiceName: 'dify', includeEndUser: true });
    expect(on).toMatchObject({ endUserId: 'end-user-1', sessionId: 'alice@example.com' });
  });

  it('survives a JSON round trip through the state file unchanged', () => {
    const record = spanRecordFor({ ...target, serviceName: 'bots', serviceVersion: '1.16.0' }, finishedRun({ error: 'boom' }), {
      defaultServiceName: 'dify',
      includeEndUser: true,
    });
    expect(parseSpanRecord(JSON.parse(JSON.stringify(record)))).toEqual(record);
  });

  it.each([null, 'x', { runId: '' }, { runId: 'r', service: 's' }])('rejects %j when restoring', (value) => {
    expect(parseSpanRecord(value)).toBeNull();
  });
});

describe('truncateError', () => {
  it('keeps short messages and cuts long ones to MAX_ERROR_LENGTH with an ellipsis', () => {
    expect(truncateError('boom')).toBe('boom');
    const cut = truncateError('e'.repeat(5000));
    expect(cut).toHaveLength(MAX_ERROR_LENGTH);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('does not split a surrogate pair', () => {
    const cut = truncateError(`${'e'.repeat(MAX_ERROR_LENGTH - 2)}😀😀`);
    expect(cut).toBe(`${'e'.repeat(MAX_ERROR_LENGTH - 2)}…`);
  });
});

describe('spanTimes', () => {
  const times = (runCreatedAt: number, elapsedSeconds: number) =>
    spanTimes(spanRecordFor(target, finishedRun({ runCreatedAt, elapsedSeconds }), { defaultServiceName: 'dify', includeEndUser: false }));

  it('keeps sub-second precision and carries nanoseconds into the end second', () => {
    expect(times(1_700_000_000.75, 2.5)).toEqual({
      startTime: [1_700_000_000, 750_000_000],
      endTime: [1_700_000_003, 250_000_000],
      duration: [2, 500_000_000],
    });
    expect(times(1_700_000_000, 0.9999999999)).toEqual({ startTime: [1_700_000_000, 0], endTime: [1_700_000_001, 0], duration: [1, 0] });
    expect(times(1_700_000_000, 0)).toEqual({ startTime: [1_700_000_000, 0], endTime: [1_700_000_000, 0], duration: [0, 0] });
  });
});
