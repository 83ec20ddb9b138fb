/**
 * The log ids one app has handled at or above its horizon, each with its row's created_at: what
 * makes a row read twice count once. Held like PendingRuns: ids as 16-byte UUIDs in typed arrays
 * with an open-addressing index, ~32 bytes per id. A Map of id strings cost ~110 bytes per id, and
 * worse, it kept every id string a page was parsed into alive for a window (thousands of rows):
 * long enough to be promoted to the old generation, where each one was garbage soon after, and
 * collecting it cost full (mark-compact) collections throughout a catch-up. Ids that are not
 * lowercase UUIDs are kept as strings beside the arrays.
 */
import { hashWords, packUuid, unpackUuid } from '../model/uuid-words.js';

const WORDS = 4;
const FIRST_CAPACITY = 64;

export class SeenIds {
  private capacity = FIRST_CAPACITY;
  private words = new Uint32Array(FIRST_CAPACITY * WORDS);
  private created = new Float64Array(FIRST_CAPACITY);
  /** Slots [0, count) hold ids, in the order they were added. */
  private count = 0;
  /** Open addressing, at most half full: 0 empty, else slot + 1. Nothing is deleted from it (see forgetBelow). */
  private index = new Int32Array(FIRST_CAPACITY * 2);
  /** Ids that are not lowercase UUIDs, with their created_at. */
  private readonly strings = new Map<string, number>();
  private readonly key = new Uint32Array(WORDS);

  get size(): number {
    return this.count + this.strings.size;
  }

  has(id: string): boolean {
    if (!packUuid(id, this.key, 0)) return this.strings.has(id);
    return this.index[this.position(this.key)] !== 0;
  }

  /** Adds an id with its row's created_at (Unix s); false, changing nothing, when it is here already. */
  add(id: string, createdAt: number): boolean {
    const key = this.key;
    if (!packUuid(id, key, 0)) {
      if (this.strings.has(id)) return false;
      this.strings.set(id, createdAt);
      return true;
    }
    let at = this.position(key);
    if (this.index[at] !== 0) return false;
    if (this.count === this.capacity) {
      this.resize(this.capacity * 2);
      at = this.position(key);
    }
    const slot = this.count++;
    this.words.set(key, slot * WORDS);
    this.created[slot] = createdAt;
    this.index[at] = slot + 1;
    return true;
  }

  /** Forgets every id whose created_at is below `bound`, keeping the others in their order. */
  forgetBelow(bound: number): void {
    this.strings.forEach((createdAt, id) => {
      if (createdAt < bound) this.strings.delete(id);
    });
    const words = this.words;
    const created = this.created;
    let kept = 0;
    for (let slot = 0; slot < this.count; slot++) {
      const createdAt = created[slot] as number;
      if (createdAt < bound) continue;
      if (kept !== slot) {
        words.copyWithin(kept * WORDS, slot * WORDS, slot * WORDS + WORDS);
        created[kept] = createdAt;
      }
      kept++;
    }
    if (kept === this.count) return;
    this.count = kept;
    // After a burst the arrays shrink back (a quarter full at most), so a quiet app holds little.
    let capacity = this.capacity;
    while (capacity > FIRST_CAPACITY && kept * 4 <= capacity) capacity /= 2;
    this.resize(capacity);
  }

  /** Calls fn for every id, UUIDs in the order they were added, then the others. */
  forEach(fn: (createdAt: number, id: string) => void): void {
    for (let slot = 0; slot < this.count; slot++) fn(this.created[slot] as number, unpackUuid(this.words, slot * WORDS));
    this.strings.forEach(fn);
  }

  /** [id, created_at] pairs, in forEach's order. */
  *[Symbol.iterator](): IterableIterator<[string, number]> {
    const pairs: Array<[string, number]> = [];
    this.forEach((createdAt, id) => pairs.push([id, createdAt]));
    yield* pairs;
  }

  /** The index entry holding the id packed in `key`, or the empty one where it would go. */
  private position(key: Uint32Array): number {
    const index = this.index;
    const words = this.words;
    const mask = index.length - 1;
    for (let i = hashWords(key, 0) & mask; ; i = (i + 1) & mask) {
      const e = index[i] as number;
      if (e === 0) return i;
      const at = (e - 1) * WORDS;
      if (words[at] === key[0] && words[at + 1] === key[1] && words[at + 2] === key[2] && words[at + 3] === key[3]) return i;
    }
  }

  /** New arrays of `capacity` slots (at least count) and an index built again for them. */
  private resize(capacity: number): void {
    if (capacity !== this.capacity) {
      const words = new Uint32Array(capacity * WORDS);
      words.set(this.words.subarray(0, this.count * WORDS));
      const created = new Float64Array(capacity);
      created.set(this.created.subarray(0, this.count));
      this.words = words;
      this.created = created;
      this.capacity = capacity;
      this.index = new Int32Array(capacity * 2);
    } else {
      this.index.fill(0);
    }
    const index = this.index;
    const mask = index.length - 1;
    for (let slot = 0; slot < this.count; slot++) {
      let i = hashWords(this.words, slot * WORDS) & mask;
      while (index[i] !== 0) i = (i + 1) & mask;
      index[i] = slot + 1;
    }
  }
}
