/**
 * Writes one scrape into a buffer. The bytes of a series that did not change since the previous
 * scrape in the same format are copied from that scrape (runs of neighbours in one copy); only
 * changed series are rendered to text. No cached text lives on the V8 heap, so a busy scrape
 * leaves no long-lived strings for the garbage collector to copy and promote.
 *
 * When the previous scrape has been sent and given back, the new one is written over it, in the
 * same memory: one buffer per format instead of two, and an unchanged stretch that has not moved
 * is not copied at all (an idle scrape copies nothing). Reads of the previous scrape only go
 * forward, so text is held aside until the next copy says where unread bytes start, and the bytes
 * still to be read are moved further along when new text needs more room than the old took.
 */
import { decimalDigits } from './format.js';

/** Generations are unique across registries, so a series stamped by one never matches another. */
let lastGeneration = 0;
export function nextGeneration(): number {
  return ++lastGeneration;
}

/**
 * In-place writing thresholds (tests make them tiny, so that every scrape takes the moving paths):
 * `minGap`, the room made at once when new text outgrows the old (moving what is left to read
 * costs one copy of it); `maxPendingText`, text held aside beyond which it is placed at once (room
 * made from the last copy on), so `scratch` stays small.
 */
export const inPlaceLimits = { minGap: 64 * 1024, maxPendingText: 256 * 1024 };
/** Text of an in-place scrape between two copies, before it is placed (reused: scrapes are synchronous). */
let scratch = Buffer.allocUnsafeSlow(64 * 1024);

/** New memory for a scrape of `bytes`, with room to grow by a few digits (untouched pages cost no RSS). */
export function scrapeMemory(bytes: number): Buffer {
  return Buffer.allocUnsafeSlow(Math.ceil(bytes * 1.125) + 4096);
}

/** All the memory a scrape was written in, from its start (a scrape is a view of its first bytes). */
export function wholeMemory(scrape: Buffer): Buffer {
  return Buffer.from(scrape.buffer, scrape.byteOffset, scrape.buffer.byteLength - scrape.byteOffset);
}

export class ScrapeWriter {
  private out: Buffer;
  /** Bytes placed in `out`; a pending copy, then pending text (in place), follow them. */
  private written = 0;
  /** Pending copy, in previous-scrape offsets. */
  private copyStart = 0;
  private copyEnd = 0;
  /** In place: byte `p` of the previous scrape is now at `out[p + shift]`. */
  private shift = 0;
  /** In place: text written since the pending copy, not yet in `out`. */
  private pendingText = 0;
  /** In place: where the last copy ended in the previous scrape (nothing before it is read again). */
  private readFrom = 0;

  private constructor(
    /** The previous scrape of this format (what families copy from), or null. */
    private readonly prev: Buffer | null,
    /** Its generation: a family block written by that scrape is in `prev`. */
    readonly prevGen: number,
    /** This scrape's generation, stamped on the blocks it writes. */
    readonly gen: number,
    out: Buffer,
    private readonly inPlace: boolean,
  ) {
    this.out = out;
  }

  /** A first scrape, into `memory`: nothing to copy from. */
  static fresh(gen: number, memory: Buffer): ScrapeWriter {
    return new ScrapeWriter(null, -1, gen, memory, false);
  }

  /** Copies from `prev` (still held by a client) into other `memory`. */
  static copying(prev: Buffer, prevGen: number, gen: number, memory: Buffer): ScrapeWriter {
    return new ScrapeWriter(prev, prevGen, gen, memory, false);
  }

  /** Writes over `prev`, which nobody holds any more (its whole memory, from offset 0, is used). */
  static inPlace(prev: Buffer, prevGen: number, gen: number): ScrapeWriter {
    return new ScrapeWriter(prev, prevGen, gen, wholeMemory(prev), true);
  }

  /** Bytes of this scrape so far. */
  get position(): number {
    return this.written + this.copyEnd - this.copyStart + this.pendingText;
  }

  /** Appends bytes `at..at+len` of the previous scrape (a series that did not change). */
  copy(at: number, len: number): void {
    if (this.copyEnd === at && this.copyEnd !== this.copyStart && this.pendingText === 0) {
      this.copyEnd = this.readFrom = at + len;
      return;
    }
    if (this.inPlace) this.place(at);
    else this.flushCopy();
    this.copyStart = at;
    this.copyEnd = this.readFrom = at + len;
  }

  /** Appends text as UTF-8; returns its byte length. */
  text(s: string): number {
    if (this.inPlace) {
      // A UTF-16 code unit is at most 3 bytes of UTF-8.
      if (this.pendingText + s.length * 3 > scratch.length) {
        const bigger = Buffer.allocUnsafeSlow(Math.max(scratch.length * 2, this.pendingText + s.length * 3));
        scratch.copy(bigger, 0, 0, this.pendingText);
        scratch = bigger;
      }
      const n = scratch.write(s, this.pendingText);
      this.pendingText += n;
      // Many new series in a row (a registry that grew since the last scrape): no copy tells how much
      // room there is, so make it from what is known to be read already.
      if (this.pendingText > inPlaceLimits.maxPendingText) this.place(this.readFrom);
      return n;
    }
    this.flushCopy();
    let out = this.out;
    if (this.written + s.length * 3 > out.length) out = this.reserve(Buffer.byteLength(s));
    const n = out.write(s, this.written);
    this.written += n;
    return n;
  }

  /**
   * Rewrites the decimal digits of a non-negative integer at scrape position `at`, over digits of
   * the same number written (or copied) there before.
   */
  rewriteUint(at: number, value: number): void {
    this.flushCopy();
    // In place, text after the last copy is still aside (in `scratch`, from `written` on).
    const inScratch = at >= this.written;
    const buf = inScratch ? scratch : this.out;
    let v = value;
    let p = (inScratch ? at - this.written : at) + decimalDigits(v) - 1;
    do {
      buf[p--] = 48 + (v % 10);
      v = Math.floor(v / 10);
    } while (v > 0);
  }

  /** The scrape: a view of the bytes written. */
  finish(): Buffer {
    if (this.inPlace) this.place((this.prev as Buffer).length);
    else this.flushCopy();
    return this.out.subarray(0, this.written);
  }

  /** Writes the pending copy. */
  private flushCopy(): void {
    const len = this.copyEnd - this.copyStart;
    if (len === 0) return;
    if (this.inPlace) {
      // Never forward: `place` keeps what is written behind what is left to read.
      const from = this.copyStart + this.shift;
      if (from !== this.written) this.out.copy(this.out, this.written, from, from + len);
    } else {
      const out = this.reserve(len);
      (this.prev as Buffer).copy(out, this.written, this.copyStart, this.copyEnd);
    }
    this.written += len;
    this.copyStart = this.copyEnd = 0;
  }

  /**
   * In place: writes the pending copy and the text after it, given that bytes of the previous
   * scrape from `next` on are still to be read (moving them further along if the text needs room).
   */
  private place(next: number): void {
    this.flushCopy();
    const readAt = next + this.shift;
    if (readAt < this.written) throw new Error('scrape writer: the previous scrape was read out of order');
    const n = this.pendingText;
    if (n === 0) return;
    if (n > readAt - this.written) this.makeRoom(next, n - (readAt - this.written));
    scratch.copy(this.out, this.written, 0, n);
    this.written += n;
    this.pendingText = 0;
  }

  /** Moves the unread rest of the previous scrape (from `next`) at least `need` bytes further along. */
  private makeRoom(next: number, need: number): void {
    const from = next + this.shift;
    const end = (this.prev as Buffer).length + this.shift;
    // As much as the memory has to spare, up to minGap: new memory only when `need` does not fit.
    const gap = Math.max(need, Math.min(inPlaceLimits.minGap, this.out.length - end));
    if (end + gap > this.out.length) {
      const bigger = scrapeMemory(end + gap);
      this.out.copy(bigger, 0, 0, this.written);
      this.out.copy(bigger, from + gap, from, end);
      this.out = bigger;
    } else if (end > from) {
      this.out.copy(this.out, from + gap, from, end);
    }
    this.shift += gap;
  }

  /** `out`, with room for `bytes` more (a larger buffer holding what was written if need be). */
  private reserve(bytes: number): Buffer {
    const out = this.out;
    const need = this.written + bytes;
    if (need <= out.length) return out;
    const grown = Buffer.allocUnsafeSlow(Math.max(need, Math.ceil(out.length * 1.5)));
    out.copy(grown, 0, 0, this.written);
    this.out = grown;
    return grown;
  }
}
