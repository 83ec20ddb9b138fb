import { describe, expect, it } from 'vitest';
import { Outbox } from '../../src/tracing/outbox.js';
import { emptySpanRecord, type SpanRecord } from '../../src/tracing/span-record.js';

const rec = (n: number): SpanRecord => ({ ...emptySpanRecord(), runId: `run-${n}`, workflowVersion: `v-${n % 2}`, error: n % 3 === 0 ? 'boom' : null });
const ids = (records: SpanRecord[]) => records.map((r) => r.runId);

describe('Outbox', () => {
  it('drops the oldest waiting record past the bound and keeps the newest', () => {
    const o = new Outbox(3);
    for (const n of [1, 2, 3]) expect(o.add(rec(n))).toBe(false);
    expect(o.add(rec(4))).toBe(true);
    expect(ids(o.records())).toEqual(['run-2', 'run-3', 'run-4']);
  });

  it('counts in-flight records against the bound and never drops them', () => {
    const o = new Outbox(3);
    for (const n of [1, 2, 3]) o.add(rec(n));
    const batch = o.take(2);
    expect(o.add(rec(4))).toBe(true);
    expect(ids(o.records())).toEqual(['run-1', 'run-2', 'run-4']);
    expect(o.add(rec(5))).toBe(true);
    expect(o.size).toBe(3);
    o.take(1);
    expect(o.add(rec(6))).toBe(true); // everything held is in flight: the new one goes
    expect(ids(o.records())).toEqual(['run-1', 'run-2', 'run-5']);
    o.settle(batch);
    expect(ids(o.records())).toEqual(['run-5']);
  });

  it('puts a failed batch back in front of newer records', () => {
    const o = new Outbox(10);
    for (const n of [1, 2, 3]) o.add(rec(n));
    const batch = o.take(2);
    o.add(rec(4));
    o.giveBack(batch);
    expect(o.waiting).toBe(4);
    expect(ids(o.take(10))).toEqual(['run-1', 'run-2', 'run-3', 'run-4']);
  });

  it('keeps copies: neither the record added nor a snapshot changes with what happens after', () => {
    const o = new Outbox(4);
    const scratch = rec(1);
    o.add(scratch);
    scratch.runId = 'run-2';
    scratch.error = 'changed';
    o.add(scratch);
    const snapshot = o.records();
    expect(snapshot.map((r) => [r.runId, r.error])).toEqual([
      ['run-1', null],
      ['run-2', 'changed'],
    ]);
    // Settled and dropped spans' records are reused for new ones; the snapshot stays as taken.
    o.settle(o.take(2));
    for (const n of [7, 8, 9, 10, 11]) o.add(rec(n));
    expect(ids(snapshot)).toEqual(['run-1', 'run-2']);
    expect(ids(o.records())).toEqual(['run-8', 'run-9', 'run-10', 'run-11']);
    expect(o.records().map((r) => [r.workflowVersion, r.error])).toEqual([
      ['v-0', null],
      ['v-1', 'boom'],
      ['v-0', null],
      ['v-1', null],
    ]);
  });

  it('keeps every field of a record, through reuse of its own records', () => {
    const full: SpanRecord = {
      runId: 'run-full',
      service: 'svc',
      serviceVersion: '1.10.1',
      app: 'bot',
      mode: 'workflow',
      status: 'failed',
      start: 1_764_000_000,
      elapsed: 1.25,
      tokens: 42,
      steps: 7,
      exceptions: 1,
      triggeredFrom: 'app-run',
      createdFrom: 'service-api',
      createdByRole: 'end_user',
      workflowVersion: '2025-01-16 12:00:00.000000',
      error: 'boom',
      endUserId: 'user-1',
      sessionId: 'session-1',
    };
    const o = new Outbox(2);
    o.add(rec(1));
    o.settle(o.take(1));
    o.add(full);
    expect(o.records()).toEqual([full]);
  });

  it('gives snapshots without end-user fields for spans that have none', () => {
    const o = new Outbox(2);
    o.add(rec(1));
    o.add({ ...rec(2), endUserId: 'user-1', sessionId: 'session-1' });
    const [plain, withUser] = o.records();
    expect(Object.keys(plain as object)).not.toContain('endUserId');
    expect(withUser).toMatchObject({ endUserId: 'user-1', sessionId: 'session-1' });
  });
});
