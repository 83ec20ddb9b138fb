/** The state file's text for one target, written in pieces, reads back as the same state. */
import { describe, expect, it } from 'vitest';
import { TargetState } from '../../src/state/target-state.js';
import { uuid } from '../helpers/ids.js';
import { seededRandom } from '../helpers/random.js';

function stateWith(seen: number, pending: number, seed: number): TargetState {
  const random = seededRandom(seed);
  const s = new TargetState(1_700_000_000);
  s.newest = 1_700_009_999;
  s.rowsPerSecond = 12.5;
  // Mostly UUIDs (held packed), some ids of other shapes (held as strings, escaped in the text).
  const id = (i: number) => (i % 3 === 0 ? `${i.toString(16).padStart(8, '0')}-${Math.floor(random() * 1e9).toString(16)}-"quoted"\\` : uuid(random));
  for (let i = 0; i < seen; i++) s.seen.add(id(i), 1_700_000_000 + Math.floor(random() * 5_000));
  for (let i = 0; i < pending; i++) {
    const logId = id(seen + i);
    s.seen.add(logId, 1_700_000_000 + i);
    s.pending.set(logId, {
      logId,
      runId: i % 7 === 0 ? null : `run-${i}`,
      createdAt: 1_700_000_000 + i,
      status: i % 5 === 0 ? null : i % 2 === 0 ? 'running' : 'paused',
      nextCheckAt: 1_700_000_000_000 + i,
      misses: i % 3,
    });
  }
  return s;
}

describe('TargetState.toJSONText', () => {
  it.each([
    ['empty', 0, 0],
    ['a few runs', 3, 2],
    ['pieces that end exactly on a boundary', 10_000, 10_000],
    ['many pieces', 25_001, 30_003],
  ])('is the JSON of the state (%s)', (_name, seen, pending) => {
    const state = stateWith(seen, pending, seen + pending);
    const pieces = state.toJSONText('café "bot"');
    expect(JSON.parse(pieces.join(''))).toEqual({ app: 'café "bot"', ...state.toJSON() });
    const back = TargetState.fromJSON(JSON.parse(pieces.join('')));
    expect([back.horizon, back.newest, back.rowsPerSecond, new Map(back.seen), back.pending]).toEqual([
      state.horizon,
      state.newest,
      state.rowsPerSecond,
      new Map(state.seen),
      state.pending,
    ]);
  });

  it('splits a large state into pieces of bounded size', () => {
    const pieces = stateWith(50_000, 50_000, 1).toJSONText('bot');
    expect(pieces.length).toBeGreaterThan(10);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(2_000_000);
  });
});
