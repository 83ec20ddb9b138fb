import { describe, expect, it } from 'vitest';
import { BadRowError, readRow, type RowView } from '../../src/model/run.js';

const RUN = '0af76519-16cd-43dd-8448-eb211c80319c';

function row(run: Record<string, unknown> | null, top: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'log-1',
    workflow_run:
      run === null
        ? null
        : { id: RUN, version: 'v1', status: 'succeeded', error: null, elapsed_time: 1.5, total_tokens: 120, total_steps: 3, created_at: 1_700_000_000, finished_at: 1_700_000_002, exceptions_count: 0, triggered_from: 'app-run', ...run },
    created_from: 'service-api',
    created_by_role: 'end_user',
    created_by_end_user: { id: 'user-1', type: 'service_api', is_anonymous: false, session_id: 'sess-1' },
    created_at: 1_700_000_000,
    details: null,
    ...top,
  };
}

function final(view: RowView) {
  if (view.kind !== 'final') throw new Error(`expected a final row, got ${view.kind}`);
  return view.run;
}

describe('readRow: the one mapping from a Dify log row', () => {
  it.each([
    ['succeeded', 'succeeded'],
    ['failed', 'failed'],
    ['stopped', 'stopped'],
    ['partial-succeeded', 'partial-succeeded'],
    ['exploded', 'unknown'],
    ['', 'unknown'],
  ])('final status %j is counted as %j', (status, label) => {
    const run = final(readRow(row({ status })));
    expect(run.status).toBe(label);
    expect(run.rawStatus).toBe(status);
  });

  it.each(['running', 'paused'])('%s is in progress, not counted', (status) => {
    expect(readRow(row({ status, finished_at: null, elapsed_time: 0 }))).toEqual({ kind: 'in-progress', logId: 'log-1', runId: RUN, createdAt: 1_700_000_000, status });
  });

  it('an undocumented status without finished_at (e.g. scheduled) is looked at again, not counted as unknown', () => {
    expect(readRow(row({ status: 'scheduled', finished_at: null }))).toEqual({ kind: 'incomplete', logId: 'log-1', createdAt: 1_700_000_000, runId: RUN });
  });

  it('workflow_run: null is incomplete (retried later)', () => {
    expect(readRow(row(null))).toEqual({ kind: 'incomplete', logId: 'log-1', createdAt: 1_700_000_000, runId: null });
  });

  it('maps values and bounds every label', () => {
    const run = final(readRow(row({ triggered_from: undefined, total_tokens: null, exceptions_count: 2 }, { created_from: 'something-new', created_by_role: undefined })));
    expect(run).toMatchObject({
      logId: 'log-1',
      runId: RUN,
      elapsedSeconds: 1.5,
      totalTokens: 0,
      totalSteps: 3,
      exceptionsCount: 2,
      triggeredFrom: 'unknown',
      createdFrom: 'other',
      createdByRole: 'unknown',
      finishedAt: 1_700_000_002,
      endUserId: 'user-1',
      sessionId: 'sess-1',
    });
    expect(final(readRow(row({ triggered_from: 'a-future-trigger' }))).triggeredFrom).toBe('other');
  });

  it.each([
    ['integer seconds', 1_700_000_000, 1_700_000_000],
    ['milliseconds', 1_700_000_000_123, 1_700_000_000],
    ['a numeric string', '1700000000', 1_700_000_000],
    ['an ISO date', '2023-11-14T22:13:20Z', 1_700_000_000],
    ['fractional seconds', 1_700_000_000.9, 1_700_000_000],
  ])('reads created_at given as %s', (_what, value, seconds) => {
    expect(final(readRow(row({}, { created_at: value }))).createdAt).toBe(seconds);
  });

  it.each([
    ['no id', { id: undefined }],
    ['no created_at', { created_at: undefined }],
    ['a created_at that is no time', { created_at: 'yesterday-ish' }],
    ['a negative created_at', { created_at: -5 }],
  ])('refuses a row with %s (skipped and counted by the poller)', (_what, top) => {
    expect(() => readRow(row({}, top))).toThrow(BadRowError);
  });

  it('counts a run whose own timestamps are unreadable (the row\'s created_at stands in)', () => {
    const run = final(readRow(row({ created_at: 'n/a', finished_at: 'n/a' })));
    expect(run.runCreatedAt).toBe(1_700_000_000);
    expect(run.finishedAt).toBeNull();
  });

  it('refuses a run without an id', () => {
    expect(() => readRow(row({ id: '' }))).toThrow(/workflow_run.id/);
  });
});
