/**
 * The dense pending set behaves as a Map of log id -> run would: checked against one, operation by
 * operation, over enough runs to grow its arrays, rebuild its index and reuse freed slots.
 */
import { describe, expect, it } from 'vitest';
import { PendingRuns, type PendingRun } from '../../src/state/pending-runs.js';
import { someId, uuid } from '../helpers/ids.js';
import { seededRandom } from '../helpers/random.js';

function someRun(random: () => number, logId: string): PendingRun {
  const r = random();
  return {
    logId,
    runId: r < 0.2 ? null : r < 0.3 ? `run ${Math.floor(random() * 1e6)}` : uuid(random),
    createdAt: 1_700_000_000 + Math.floor(random() * 100_000),
    status: r < 0.25 ? null : random() < 0.5 ? 'running' : 'paused',
    nextCheckAt: random() < 0.3 ? 0 : 1_700_000_000_000 + Math.floor(random() * 1e9) + 0.5,
    misses: Math.floor(random() * 3),
  };
}

const byId = (runs: Iterable<PendingRun>) => [...runs].sort((a, b) => (a.logId < b.logId ? -1 : a.logId > b.logId ? 1 : 0));

function expectSame(dense: PendingRuns, model: Map<string, PendingRun>): void {
  expect(dense.size).toBe(model.size);
  expect(byId(dense.values())).toEqual(byId(model.values()));
}

describe('PendingRuns', () => {
  it('matches a Map through adds, replacements, updates and deletes (to empty and back)', () => {
    const random = seededRandom(7);
    const dense = new PendingRuns();
    const model = new Map<string, PendingRun>();
    const known: string[] = [];
    for (let round = 0; round < 6; round++) {
      // Grow well past the first capacity, then shrink (freed slots are reused, deleted index entries skipped).
      const target = round % 2 === 0 ? 3_000 + round * 1_000 : 500;
      for (let op = 0; op < 20_000 && (round % 2 === 0 ? model.size < target : model.size > target); op++) {
        const r = random();
        if (round % 2 === 0 ? r < 0.7 : r < 0.1) {
          const id = known.length > 0 && random() < 0.1 ? (known[Math.floor(random() * known.length)] as string) : someId(random);
          const run = someRun(random, id);
          dense.set(id, run);
          model.set(id, run);
          known.push(id);
        } else if (r < 0.85 && known.length > 0) {
          const id = known[Math.floor(random() * known.length)] as string;
          const changes = { status: random() < 0.5 ? ('paused' as const) : null, runId: random() < 0.5 ? uuid(random) : 'other run', nextCheckAt: 1_700_000_000_123, misses: 2 };
          const old = model.get(id);
          expect(dense.update(id, changes)).toBe(old !== undefined);
          if (old) model.set(id, { ...old, ...changes });
        } else if (known.length > 0) {
          const id = known[Math.floor(random() * known.length)] as string;
          expect(dense.delete(id)).toBe(model.delete(id));
        }
        if (op % 997 === 0) {
          const id = known[Math.floor(random() * known.length)] ?? 'none';
          expect(dense.has(id)).toBe(model.has(id));
          expect(dense.get(id)).toEqual(model.get(id));
        }
      }
      expectSame(dense, model);
      for (const id of known) expect(dense.has(id)).toBe(model.has(id));
    }
    // Emptied completely (the arrays start over), then used again.
    for (const id of known) expect(dense.delete(id)).toBe(model.delete(id));
    expect(dense.size).toBe(0);
    expect([...dense.values()]).toEqual([]);
    const again = someRun(random, known[0] as string);
    dense.set(again.logId, again);
    expect([...dense.values()]).toEqual([again]);
  });

  it('keeps ids that differ only in case apart', () => {
    const dense = new PendingRuns();
    const lower = '0a1b2c3d-0000-4000-8000-00000000abcd';
    const base = { runId: null, createdAt: 1, status: null, nextCheckAt: 0, misses: 0 };
    dense.set(lower, { ...base, createdAt: 1 });
    dense.set(lower.toUpperCase(), { ...base, createdAt: 2 });
    expect(dense.size).toBe(2);
    expect(dense.get(lower)?.createdAt).toBe(1);
    expect(dense.get(lower.toUpperCase())?.createdAt).toBe(2);
    dense.delete(lower);
    expect(dense.has(lower)).toBe(false);
    expect(dense.get(lower.toUpperCase())?.logId).toBe(lower.toUpperCase());
  });

  it('gives copies: changing one changes nothing until written back', () => {
    const dense = new PendingRuns();
    const id = '0a1b2c3d-0000-4000-8000-00000000abcd';
    dense.set(id, { runId: null, createdAt: 5, status: 'running', nextCheckAt: 0, misses: 0 });
    const copy = dense.get(id) as PendingRun;
    copy.misses = 2;
    copy.status = 'paused';
    expect(dense.get(id)).toMatchObject({ misses: 0, status: 'running' });
    dense.update(id, { misses: 2 });
    expect(dense.get(id)).toMatchObject({ misses: 2, status: 'running' });
  });

  it('keeps miss counts whole and within a byte, whatever a state file says', () => {
    const dense = new PendingRuns();
    const base = { runId: null, createdAt: 5, status: null, nextCheckAt: 0 };
    const misses = (n: number) => dense.set('x', { ...base, misses: n }).get('x')?.misses;
    expect([misses(-2), misses(1.7), misses(Number.NaN), misses(1e9), misses(3)]).toEqual([0, 1, 0, 255, 3]);
  });

  it('can be emptied while scanning or iterating', () => {
    const random = seededRandom(3);
    const dense = new PendingRuns();
    for (let i = 0; i < 500; i++) {
      const id = someId(random);
      dense.set(id, someRun(random, id));
    }
    const seen: string[] = [];
    for (const p of dense.values()) {
      seen.push(p.logId);
      dense.delete(p.logId);
    }
    expect(seen.length).toBe(500);
    expect(dense.size).toBe(0);
  });

  it('refuses a run stored under another id', () => {
    const dense = new PendingRuns();
    expect(() => dense.set('a', { logId: 'b', runId: null, createdAt: 1, status: null, nextCheckAt: 0, misses: 0 })).toThrow(/set under/);
  });
});

describe('PendingRuns.freeze', () => {
  it('is the runs of that moment, whatever happens to the set afterwards', () => {
    const random = seededRandom(11);
    const dense = new PendingRuns();
    const ids: string[] = [];
    for (let i = 0; i < 5_000; i++) {
      const id = someId(random);
      ids.push(id);
      dense.set(id, someRun(random, id));
    }
    for (const id of ids.slice(0, 1_000)) dense.delete(id);
    const before = byId(dense.values());
    const frozen = dense.freeze();
    for (const id of ids.slice(1_000, 2_000)) dense.update(id, { status: 'paused', misses: 1 });
    for (const id of ids.slice(2_000, 3_000)) dense.delete(id);
    for (let i = 0; i < 1_000; i++) {
      const id = someId(random);
      dense.set(id, someRun(random, id));
    }
    const text = `[${[...frozen.jsonPieces(300)].join(',')}]`;
    const back = (JSON.parse(text) as Array<[string, string | null, number, string | null, number, number]>).map(
      ([logId, runId, createdAt, status, nextCheckAt, misses]) => ({ logId, runId, createdAt, status, nextCheckAt, misses }),
    );
    expect(byId(back as PendingRun[])).toEqual(before);
    expect(frozen.size).toBe(4_000);
  });
});
