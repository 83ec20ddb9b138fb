/**
 * The state file stays the same format: a file written before pending runs were held densely loads,
 * and what is written now is byte for byte what was written before (so an older exporter reads it).
 */
import { describe, expect, it } from 'vitest';
import { TargetState } from '../../src/state/target-state.js';

const A = '0a1b2c3d-1111-4222-8333-444455556666';
const B = 'f0e1d2c3-aaaa-4bbb-8ccc-ddddeeeeffff';
const RUN_A = '9f8e7d6c-0000-4000-8000-000000000001';

/** Written by the exporter before this change (JSON.stringify of the old objects). */
const OLD_TEXT =
  '{"app":"bot","horizon":1764000000,"newest":1764000123,"rowsPerSecond":2.5,' +
  `"seen":{"1764000100":["${A}","plain-id"],"1764000123":["${B}"]},` +
  `"pending":[["${A}","${RUN_A}",1764000100,"running",1764000200000,0],` +
  '["plain-id","Run-Not-A-Uuid",1764000100,"paused",0,2],' +
  `["${B}",null,1764000123,null,1764000999999.5,1],` +
  `["${A.toUpperCase()}",null,1763000000,"stopped",0,0]]}`;

describe('state file format', () => {
  it('an old file loads with every pending run as it was', () => {
    const s = TargetState.fromJSON(JSON.parse(OLD_TEXT));
    expect(s.pending.size).toBe(4);
    expect(s.pending.get(A)).toEqual({ logId: A, runId: RUN_A, createdAt: 1764000100, status: 'running', nextCheckAt: 1764000200000, misses: 0 });
    expect(s.pending.get('plain-id')).toEqual({ logId: 'plain-id', runId: 'Run-Not-A-Uuid', createdAt: 1764000100, status: 'paused', nextCheckAt: 0, misses: 2 });
    expect(s.pending.get(B)).toMatchObject({ runId: null, status: null, nextCheckAt: 1764000999999.5, misses: 1 });
    // An unknown status was read as null before, and still is; upper-case ids stay distinct.
    expect(s.pending.get(A.toUpperCase())).toMatchObject({ status: null, createdAt: 1763000000 });
    expect(new Map(s.seen)).toEqual(
      new Map([
        [A, 1764000100],
        ['plain-id', 1764000100],
        [B, 1764000123],
      ]),
    );
  });

  it('is written back exactly as the old exporter wrote it (apart from statuses it did not know)', () => {
    const s = TargetState.fromJSON(JSON.parse(OLD_TEXT));
    expect(s.toJSONText('bot').join('')).toBe(OLD_TEXT.replace('"stopped"', 'null'));
  });

  it('a text taken before changes does not show them, and reads the same every time', () => {
    const s = TargetState.fromJSON(JSON.parse(OLD_TEXT));
    const text = s.stateText('bot');
    const first = [...text].join('');
    s.pending.delete(A);
    s.pending.update(B, { status: 'paused', misses: 2 });
    s.pending.set('new-id', { runId: null, createdAt: 1764000200, status: 'running', nextCheckAt: 0, misses: 0 });
    s.seen.add('new-id', 1764000200);
    s.horizon = 1764000150;
    expect([...text].join('')).toBe(first);
    expect(first).toBe(OLD_TEXT.replace('"stopped"', 'null'));
    expect([...s.stateText('bot')].join('')).not.toBe(first);
  });

  it('tampered pending entries: unreadable ones reject the target state, odd numbers are made safe', () => {
    const withPending = (pending: string) => JSON.parse(`{"horizon":1,"newest":2,"seen":{},"pending":${pending}}`);
    expect(() => TargetState.fromJSON(withPending('{"a":1}'))).toThrow(/pending/);
    expect(() => TargetState.fromJSON(withPending('[["a",null,"12",null,0,0]]'))).toThrow(/pending/);
    expect(() => TargetState.fromJSON(withPending('[["a",null,1e999,null,0,0]]'))).toThrow(/pending/);
    const s = TargetState.fromJSON(withPending('[["a",null,5,"running",1e999,-4],["b",7,6,"x","soon",1e9]]'));
    expect(s.pending.get('a')).toMatchObject({ nextCheckAt: 0, misses: 0, status: 'running' });
    expect(s.pending.get('b')).toMatchObject({ runId: null, nextCheckAt: 0, misses: 255, status: null });
    // What is written back is valid JSON again.
    expect(TargetState.fromJSON(JSON.parse(s.toJSONText('x').join(''))).pending.size).toBe(2);
  });
});
