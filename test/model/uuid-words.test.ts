/** Ids packed into words come back as exactly the same string; anything not a lowercase UUID is refused. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashWords, packUuid, unpackUuid, writeUuidText } from '../../src/model/uuid-words.js';

describe('packUuid / unpackUuid', () => {
  it('round-trips lowercase UUIDs, including all-zero and all-f', () => {
    const words = new Uint32Array(8);
    const ids = [...Array.from({ length: 2_000 }, () => randomUUID()), '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '0193a5c2-7e1f-7abc-8def-0123456789ab'];
    for (const id of ids) {
      expect(packUuid(id, words, 4)).toBe(true);
      expect(unpackUuid(words, 4)).toBe(id);
    }
  });

  it('writes a packed UUID as the ASCII bytes of its string, in place', () => {
    const words = new Uint32Array(8);
    const out = Buffer.alloc(40, 0x2a);
    for (const id of [...Array.from({ length: 500 }, () => randomUUID()), '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff']) {
      packUuid(id, words, 4);
      writeUuidText(words, 4, out, 2);
      expect(out.toString('latin1')).toBe(`**${id}**`);
    }
  });

  it.each([
    ['upper case', 'A1B2C3D4-0000-4000-8000-000000000000'],
    ['one upper-case digit', 'a1b2c3d4-0000-4000-8000-00000000000F'],
    ['no dashes', 'a1b2c3d40000400080000000000000000000'],
    ['braces', '{a1b2c3d4-0000-4000-8000-00000000000}'],
    ['a non-hex digit', 'a1b2c3d4-0000-4000-8000-00000000000g'],
    ['too short', 'a1b2c3d4-0000-4000-8000-00000000000'],
    ['empty', ''],
    ['a plain id', 'log-42'],
    ['a non-ASCII digit', 'a1b2c3d4-0000-4000-8000-00000000000é'],
  ])('refuses %s and leaves the words alone', (_name, id) => {
    const words = new Uint32Array([1, 2, 3, 4]);
    expect(packUuid(id, words, 0)).toBe(false);
    expect([...words]).toEqual([1, 2, 3, 4]);
  });

  it('spreads ids that share their leading (time) bits over the hash', () => {
    const words = new Uint32Array(4);
    const buckets = new Set<number>();
    for (let i = 0; i < 1_000; i++) {
      packUuid(`0193a5c2-7e1f-7abc-8def-${i.toString(16).padStart(12, '0')}`, words, 0);
      buckets.add(hashWords(words, 0) & 1023);
    }
    expect(buckets.size).toBeGreaterThan(550);
  });
});
