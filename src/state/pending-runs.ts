/**
 * The runs of one app seen started but not finished, held densely: one slot per run in typed
 * arrays (ids as 16-byte UUIDs, times as doubles, status and misses as bytes) and an open-addressing
 * index from log id to slot. About 60 bytes per run instead of ~280 for a Map of objects, and
 * none of it on the V8 heap. Ids that are not lowercase UUIDs are kept as strings beside the arrays.
 *
 * Reads give copies: a PendingRun returned by get() or values() does not follow later changes,
 * and changing it changes nothing here; write changes back with set() or update().
 */
import { IN_PROGRESS_STATUSES, type InProgressStatus } from '../model/run.js';
import { hashWords, packUuid, unpackUuid } from '../model/uuid-words.js';
import { FrozenPendingRuns } from './frozen-pending-runs.js';
import { LOG_ID_STRING, RUN_NONE, RUN_SHIFT, RUN_STRING, RUN_UUID, STATUS_SHIFT, USED, WORDS } from './pending-layout.js';

export interface PendingRun {
  logId: string;
  /** null while Dify shows `workflow_run: null` for the row. */
  runId: string | null;
  /** Log row created_at, Unix seconds. */
  createdAt: number;
  status: InProgressStatus | null;
  /** Unix ms before which this run is not looked at again on its own. */
  nextCheckAt: number;
  /** Consecutive look-ups that did not find the row. */
  misses: number;
}

export type PendingChanges = Partial<Pick<PendingRun, 'runId' | 'status' | 'nextCheckAt' | 'misses'>>;

const FIRST_CAPACITY = 64;
/** Index entries: 0 empty, -1 deleted, else slot + 1. */
const DELETED = -1;

/** 0 for null, 1 + index in IN_PROGRESS_STATUSES. */
export function statusCode(status: InProgressStatus | null): number {
  return status === null ? 0 : IN_PROGRESS_STATUSES.indexOf(status) + 1;
}

export function statusOf(code: number): InProgressStatus | null {
  return code === 0 ? null : (IN_PROGRESS_STATUSES[code - 1] ?? null);
}

/** A count of consecutive misses as a byte: whole, 0..255 (more is as good as 255). */
function missesByte(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.min(255, Math.floor(n)) : 0;
}

export class PendingRuns {
  private capacity = FIRST_CAPACITY;
  private words = new Uint32Array(FIRST_CAPACITY * WORDS);
  private created = new Float64Array(FIRST_CAPACITY);
  private nextCheck = new Float64Array(FIRST_CAPACITY);
  private meta = new Uint8Array(FIRST_CAPACITY);
  private missed = new Uint8Array(FIRST_CAPACITY);
  /** Slots [0, top) have been handed out; freed ones below top are in `free`. */
  private top = 0;
  private free: number[] = [];
  private count = 0;
  private index = new Int32Array(FIRST_CAPACITY * 4);
  /** Index entries not empty (live or deleted). */
  private indexUsed = 0;
  private readonly stringSlots = new Map<string, number>();
  private readonly logIdStrings = new Map<number, string>();
  private readonly runIdStrings = new Map<number, string>();
  private readonly key = new Uint32Array(4);

  get size(): number {
    return this.count;
  }

  has(logId: string): boolean {
    return this.slotOf(logId) >= 0;
  }

  get(logId: string): PendingRun | undefined {
    const slot = this.slotOf(logId);
    return slot < 0 ? undefined : this.runAt(slot, logId);
  }

  /** Adds a run, or replaces the one with this log id (run.logId, if given, must be the same). */
  set(logId: string, run: Omit<PendingRun, 'logId'> & { logId?: string }): this {
    if (run.logId !== undefined && run.logId !== logId) throw new Error(`pending runs: run ${run.logId} set under ${logId}`);
    let slot = this.slotOf(logId);
    if (slot < 0) slot = this.add(logId);
    this.created[slot] = run.createdAt;
    this.write(slot, run);
    return this;
  }

  /** Changes some fields of the run with this log id; false if there is none. */
  update(logId: string, changes: PendingChanges): boolean {
    const slot = this.slotOf(logId);
    if (slot < 0) return false;
    this.write(slot, changes);
    return true;
  }

  delete(logId: string): boolean {
    const slot = this.slotOf(logId);
    if (slot < 0) return false;
    const meta = this.meta[slot] as number;
    if (meta & LOG_ID_STRING) {
      this.stringSlots.delete(logId);
      this.logIdStrings.delete(slot);
    } else {
      this.index[this.indexPosition(slot)] = DELETED;
    }
    this.runIdStrings.delete(slot);
    this.meta[slot] = 0;
    this.count--;
    if (this.count === 0) this.clear();
    else this.free.push(slot);
    return true;
  }

  clear(): void {
    this.capacity = FIRST_CAPACITY;
    this.words = new Uint32Array(FIRST_CAPACITY * WORDS);
    this.created = new Float64Array(FIRST_CAPACITY);
    this.nextCheck = new Float64Array(FIRST_CAPACITY);
    this.meta = new Uint8Array(FIRST_CAPACITY);
    this.missed = new Uint8Array(FIRST_CAPACITY);
    this.top = 0;
    this.free = [];
    this.count = 0;
    this.index = new Int32Array(FIRST_CAPACITY * 4);
    this.indexUsed = 0;
    this.stringSlots.clear();
    this.logIdStrings.clear();
    this.runIdStrings.clear();
  }

  /** Copies of every run (deleting runs while iterating is safe). */
  *values(): IterableIterator<PendingRun> {
    for (let slot = 0; slot < this.top; slot++) if ((this.meta[slot] as number) & USED) yield this.runAt(slot);
  }

  [Symbol.iterator](): IterableIterator<PendingRun> {
    return this.values();
  }

  /**
   * Calls fn for every run without making a copy of it: its slot (valid until the next set or
   * delete), created_at (Unix s), next check (Unix ms) and status. For loops over every run.
   */
  scan(fn: (slot: number, createdAt: number, nextCheckAt: number, status: InProgressStatus | null) => void): void {
    const top = this.top;
    for (let slot = 0; slot < top; slot++) {
      const meta = this.meta[slot] as number;
      if (meta & USED) fn(slot, this.created[slot] as number, this.nextCheck[slot] as number, statusOf(meta >>> STATUS_SHIFT));
    }
  }

  /** The log id of the run in a slot given by scan(). */
  logIdAt(slot: number): string {
    const meta = this.meta[slot] as number;
    if (!(meta & USED)) throw new Error(`pending runs: slot ${slot} is empty`);
    return meta & LOG_ID_STRING ? (this.logIdStrings.get(slot) as string) : unpackUuid(this.words, slot * WORDS);
  }

  /** The created_at of the run with this log id, without copying the run. */
  createdAtOf(logId: string): number | undefined {
    const slot = this.slotOf(logId);
    return slot < 0 ? undefined : this.created[slot];
  }

  /** The run in a slot given by scan(). */
  runAt(slot: number, knownLogId?: string): PendingRun {
    const meta = this.meta[slot] as number;
    if (!(meta & USED)) throw new Error(`pending runs: slot ${slot} is empty`);
    const at = slot * WORDS;
    const runKind = (meta >>> RUN_SHIFT) & 3;
    return {
      logId: knownLogId ?? this.logIdAt(slot),
      runId: runKind === RUN_UUID ? unpackUuid(this.words, at + 4) : runKind === RUN_STRING ? (this.runIdStrings.get(slot) as string) : null,
      createdAt: this.created[slot] as number,
      status: statusOf(meta >>> STATUS_SHIFT),
      nextCheckAt: this.nextCheck[slot] as number,
      misses: this.missed[slot] as number,
    };
  }

  /** A compact copy that later changes do not touch (for saving while polls go on). */
  freeze(): FrozenPendingRuns {
    const n = this.count;
    const words = new Uint32Array(n * WORDS);
    const created = new Float64Array(n);
    const nextCheck = new Float64Array(n);
    const meta = new Uint8Array(n);
    const missed = new Uint8Array(n);
    const strings = new Map<number, string>();
    let i = 0;
    for (let slot = 0; slot < this.top; slot++) {
      const m = this.meta[slot] as number;
      if (!(m & USED)) continue;
      words.set(this.words.subarray(slot * WORDS, slot * WORDS + WORDS), i * WORDS);
      created[i] = this.created[slot] as number;
      nextCheck[i] = this.nextCheck[slot] as number;
      meta[i] = m;
      missed[i] = this.missed[slot] as number;
      if (m & LOG_ID_STRING) strings.set(i * 2, this.logIdStrings.get(slot) as string);
      if (((m >>> RUN_SHIFT) & 3) === RUN_STRING) strings.set(i * 2 + 1, this.runIdStrings.get(slot) as string);
      i++;
    }
    return new FrozenPendingRuns(n, words, created, nextCheck, meta, missed, strings);
  }

  private write(slot: number, c: PendingChanges): void {
    let meta = this.meta[slot] as number;
    if (c.runId !== undefined) {
      this.runIdStrings.delete(slot);
      let kind = RUN_NONE;
      if (c.runId !== null) {
        if (packUuid(c.runId, this.words, slot * WORDS + 4)) kind = RUN_UUID;
        else {
          kind = RUN_STRING;
          this.runIdStrings.set(slot, c.runId);
        }
      }
      meta = (meta & ~(3 << RUN_SHIFT)) | (kind << RUN_SHIFT);
    }
    if (c.status !== undefined) meta = (meta & ~(3 << STATUS_SHIFT)) | (statusCode(c.status) << STATUS_SHIFT);
    this.meta[slot] = meta;
    if (c.nextCheckAt !== undefined) this.nextCheck[slot] = c.nextCheckAt;
    if (c.misses !== undefined) this.missed[slot] = missesByte(c.misses);
  }

  /** The slot of a log id, or -1. */
  private slotOf(logId: string): number {
    if (this.count === 0) return -1; // catching up on finished runs: nothing to parse or probe
    if (!packUuid(logId, this.key, 0)) return this.stringSlots.get(logId) ?? -1;
    const index = this.index;
    const mask = index.length - 1;
    const key = this.key;
    const words = this.words;
    // Ends: the index is never more than half full.
    for (let i = hashWords(key, 0) & mask; ; i = (i + 1) & mask) {
      const e = index[i] as number;
      if (e === 0) return -1;
      if (e === DELETED) continue;
      const at = (e - 1) * WORDS;
      if (words[at] === key[0] && words[at + 1] === key[1] && words[at + 2] === key[2] && words[at + 3] === key[3]) return e - 1;
    }
  }

  /** Where a slot with a UUID log id is in the index. */
  private indexPosition(slot: number): number {
    const index = this.index;
    const mask = index.length - 1;
    for (let i = hashWords(this.words, slot * WORDS) & mask; ; i = (i + 1) & mask) {
      const e = index[i] as number;
      if (e === slot + 1) return i;
      if (e === 0) throw new Error(`pending runs: slot ${slot} missing from the index`);
    }
  }

  /** A new slot for a log id not yet here. */
  private add(logId: string): number {
    if (this.free.length === 0 && this.top === this.capacity) this.grow();
    const slot = this.free.pop() ?? this.top++;
    this.count++;
    this.runIdStrings.delete(slot);
    if (packUuid(logId, this.words, slot * WORDS)) {
      // Before the slot is marked used: reindex() places every used slot.
      if ((this.indexUsed + 1) * 2 > this.index.length) this.reindex();
      this.meta[slot] = USED;
      this.indexUsed += this.place(slot);
    } else {
      this.meta[slot] = USED | LOG_ID_STRING;
      this.stringSlots.set(logId, slot);
      this.logIdStrings.set(slot, logId);
    }
    this.nextCheck[slot] = 0;
    this.missed[slot] = 0;
    return slot;
  }

  /** Puts a slot into the index (at the first free or deleted entry); 1 if that entry was empty. */
  private place(slot: number): number {
    const index = this.index;
    const mask = index.length - 1;
    for (let i = hashWords(this.words, slot * WORDS) & mask; ; i = (i + 1) & mask) {
      const e = index[i] as number;
      if (e <= 0) {
        index[i] = slot + 1;
        return e === 0 ? 1 : 0;
      }
    }
  }

  /** A new index, at most a quarter full, without deleted entries. */
  private reindex(): void {
    let length = 16;
    while (length < (this.count + 1) * 4) length *= 2;
    this.index = new Int32Array(length);
    this.indexUsed = 0;
    for (let slot = 0; slot < this.top; slot++) {
      const meta = this.meta[slot] as number;
      if (meta & USED && !(meta & LOG_ID_STRING)) this.indexUsed += this.place(slot);
    }
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const words = new Uint32Array(capacity * WORDS);
    words.set(this.words);
    this.words = words;
    this.created = copyInto(new Float64Array(capacity), this.created);
    this.nextCheck = copyInto(new Float64Array(capacity), this.nextCheck);
    this.meta = copyInto(new Uint8Array(capacity), this.meta);
    this.missed = copyInto(new Uint8Array(capacity), this.missed);
    this.capacity = capacity;
  }
}

function copyInto<T extends Float64Array | Uint8Array>(to: T, from: T): T {
  to.set(from as never);
  return to;
}
