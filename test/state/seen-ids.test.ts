/**
 * The de-duplication window behaves as a Map of log id -> created_at would: checked against one,
 * operation by operation, over enough ids to grow its arrays and shrink them again.
 */
import { describe, expect, it } from 'vitest';
import { SeenIds } from '../../src/state/seen-ids.js';
import { someId, uuid } from '../helpers/ids.js';
import { seededRandom } from '../helpers/random.js';

function expectSame(seen: SeenIds, model: Map<string, number>): void {
  expect(seen.size).toBe(model.size);
  expect(new Map(seen)).toEqual(model);
}

describe('SeenIds', () => {
  it('adds an id once: a second add of it changes nothing', () => {
    const seen = new SeenIds();
    const id = '0193a7c2-5b1e-7c3d-9e4f-0a1b2c3d4e5f';
    expect(seen.add(id, 100)).toBe(true);
    expect(seen.add(id, 200)).toBe(false);
    expect(seen.add('not-a-uuid', 100)).toBe(true);
    expect(seen.add('not-a-uuid', 300)).toBe(false);
    expect([seen.has(id), seen.has('not-a-uuid'), seen.has('0193a7c2-5b1e-7c3d-9e4f-0a1b2c3d4e50')]).toEqual([true, true, false]);
    expectSame(seen, new Map([[id, 100], ['not-a-uuid', 100]]));
  });

  it('keeps an upper-case UUID apart from its lower-case form, and gives back both exactly', () => {
    const seen = new SeenIds();
    const id = uuid(seededRandom(1));
    seen.add(id, 1);
    expect(seen.has(id.toUpperCase())).toBe(false);
    seen.add(id.toUpperCase(), 2);
    expectSame(seen, new Map([[id, 1], [id.toUpperCase(), 2]]));
  });

  it('forgets the ids below a bound and keeps the rest, in the order they came', () => {
    const seen = new SeenIds();
    const random = seededRandom(2);
    const ids = Array.from({ length: 300 }, () => uuid(random));
    ids.forEach((id, i) => seen.add(id, 1_000 + (i % 10)));
    seen.forgetBelow(1_005);
    expect([...seen].map(([id]) => id)).toEqual(ids.filter((_, i) => i % 10 >= 5));
    expect(ids.filter((id) => seen.has(id)).length).toBe(150);
    // What was forgotten can be added again (a row read again below a new horizon never is).
    expect(seen.add(ids[0] as string, 2_000)).toBe(true);
  });

  it('matches a Map through bursts and quiet spells (arrays grown and shrunk)', () => {
    const random = seededRandom(3);
    const seen = new SeenIds();
    const model = new Map<string, number>();
    const known: string[] = [];
    let second = 1_700_000_000;
    for (let step = 0; step < 60; step++) {
      // Bursts of up to 5,000 rows, then quiet polls of a few.
      const rows = step % 10 < 3 ? Math.floor(random() * 5_000) : Math.floor(random() * 20);
      for (let i = 0; i < rows; i++) {
        const again = known.length > 0 && random() < 0.1;
        const id = again ? (known[Math.floor(random() * known.length)] as string) : someId(random);
        const createdAt = second + Math.floor(random() * 30);
        expect(seen.add(id, createdAt)).toBe(!model.has(id));
        if (!model.has(id)) model.set(id, createdAt);
        known.push(id);
      }
      second += 20;
      seen.forgetBelow(second);
      for (const [id, createdAt] of model) if (createdAt < second) model.delete(id);
      expectSame(seen, model);
      for (let i = 0; i < 50 && known.length > 0; i++) {
        const id = known[Math.floor(random() * known.length)] as string;
        expect(seen.has(id)).toBe(model.has(id));
      }
      if (known.length > 20_000) known.splice(0, 10_000);
    }
  });
});
