import { describe, expect, it } from 'vitest';
import { Outbox } from '../../src/tracing/outbox.js';
import type { SpanRecord } from '../../src/tracing/span-record.js';

const rec = (n: number) => ({ runId: `run-${n}` }) as SpanRecord;
const ids = (records: SpanRecord[]) => records.map((r) => r.runId);

describe('Outbox', () => {
  it('drops the oldest waiting record past the bound and keeps the newest', () => {
    const o = new Outbox(3);
    for (const n of [1, 2, 3]) expect(o.add(rec(n))).toBeNull();
    expect(o.add(rec(4))?.runId).toBe('run-1');
    expect(ids(o.records())).toEqual(['run-2', 'run-3', 'run-4']);
  });

  it('counts in-flight records against the bound and never drops them', () => {
    const o = new Outbox(3);
    for (const n of [1, 2, 3]) o.add(rec(n));
    const batch = o.take(2);
    expect(o.add(rec(4))?.runId).toBe('run-3');
    expect(o.add(rec(5))?.runId).toBe('run-4');
    expect(o.size).toBe(3);
    o.take(1);
    expect(o.add(rec(6))?.runId).toBe('run-6'); // everything held is in flight: the new one goes
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
});
