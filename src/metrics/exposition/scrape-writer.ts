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
import { decimalDigits, formatValue } from './format.js';

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
/**
 * Text placed from `scratch` up to this many bytes (a few lines: what is written between two copies)
 * is copied by a loop: Buffer#copy of part of a buffer makes a view of it, an object per call.
 */
const LOOP_COPY = 512;
/** Text of an in-place scrape between two copies, before it is placed (reused: scrapes are synchronous). */
let scratch = Buffer.allocUnsafeSlow(64 * 1024);

/** New memory for a scrape of `bytes`, with room to grow by a few digits (untouched pages cost no RSS). */
export function scrapeMemory(bytes: number): Buffer {
  return Buffer.allocUnsafeSlow(Math.ceil(bytes * 1.125) + 4096);
}

/**
 * Gives a scrape's memory back to the system soon; nothing may use it (or a view of it) again.
 * V8 frees an ArrayBuffer's memory only when it collects the object, which for one that has
 * reached the old generation waits for a full collection (tens of MB could wait for minutes).
 * Transferred to a clone nobody references, the memory belongs to a young object instead, and
 * the next minor collection frees it.
 */
export function releaseMemory(memory: Buffer): void {
  const buffer = memory.buffer;
  if (!(buffer instanceof ArrayBuffer) || buffer.byteLength === 0) return;
  try {
    structuredClone(buffer, { transfer: [buffer] });
  } catch {
    // Not transferable (a runtime that marks it so): V8 frees it when it collects it, as before.
  }
}

/** All the memory a scrape was written in, from its start (a scrape is a view of its first bytes). */
export function wholeMemory(scrape: Buffer): Buffer {
  return Buffer.from(scrape.buffer, scrape.byteOffset, scrape.buffer.byteLength - scrape.byteOffset);
}

/** Writes the decimal digits of a non-negative integer so that they end just before `end`. */
function writeDigits(buf: Buffer, end: number, value: number): void {
  let p = end - 1;
  let v = value;
  do {
    buf[p--] = 48 + (v % 10);
    v = Math.floor(v / 10);
  } while (v > 0);
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
  /** Where the text being appended starts in the buffer `room` returned. */
  private cursor = 0;

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
    if (!this.inPlace) this.flushCopy();
    // A UTF-16 code unit is at most 3 bytes of UTF-8: the exact length only when that bound does not fit.
    const bound = s.length * 3;
    const buf = this.room(this.inPlace || this.written + bound <= this.out.length ? bound : Buffer.byteLength(s));
    const n = buf.write(s, this.cursor);
    this.advance(n);
    return n;
  }

  /**
   * Appends an ASCII string (no allocation: constant pieces of a line written between copies);
   * returns its length.
   */
  ascii(s: string): number {
    const n = s.length;
    const buf = this.room(n);
    const at = this.cursor;
    for (let i = 0; i < n; i++) buf[at + i] = s.charCodeAt(i);
    this.advance(n);
    return n;
  }

  /** Appends the first `n` bytes of `data`; returns n. */
  bytes(data: Uint8Array, n: number): number {
    const buf = this.room(n);
    const at = this.cursor;
    for (let i = 0; i < n; i++) buf[at + i] = data[i] as number;
    this.advance(n);
    return n;
  }

  /** Appends the decimal digits of a non-negative safe integer; returns their count. */
  uint(value: number): number {
    const digits = decimalDigits(value);
    writeDigits(this.room(digits), this.cursor + digits, value);
    this.advance(digits);
    return digits;
  }

  /** Appends a sample value as the exposition writes it (formatValue), digits straight in for whole numbers. */
  value(v: number): number {
    return Number.isSafeInteger(v) && v >= 0 ? this.uint(v) : this.ascii(formatValue(v));
  }

  /**
   * Rewrites the decimal digits of a non-negative integer at scrape position `at`, over digits of
   * the same number written (or copied) there before.
   */
  rewriteUint(at: number, value: number): void {
    this.flushCopy();
    // In place, text after the last copy is still aside (in `scratch`, from `written` on).
    const inScratch = at >= this.written;
    writeDigits(inScratch ? scratch : this.out, (inScratch ? at - this.written : at) + decimalDigits(value), value);
  }

  /** The scrape: a view of the bytes written. */
  finish(): Buffer {
    if (this.inPlace) this.place((this.prev as Buffer).length);
    else this.flushCopy();
    return this.out.subarray(0, this.written);
  }

  /**
   * Room for up to `bytes` of text: the buffer to write it to, from `cursor`; `advance` then says
   * how many were written. In place, text is held aside in `scratch` until the next copy places it.
   */
  private room(bytes: number): Buffer {
    if (this.inPlace) {
      if (this.pendingText + bytes > scratch.length) {
        const bigger = Buffer.allocUnsafeSlow(Math.max(scratch.length * 2, this.pendingText + bytes));
        scratch.copy(bigger, 0, 0, this.pendingText);
        scratch = bigger;
      }
      this.cursor = this.pendingText;
      return scratch;
    }
    this.flushCopy();
    this.cursor = this.written;
    return this.reserve(bytes);
  }

  private advance(n: number): void {
    if (!this.inPlace) {
      this.written += n;
      return;
    }
    this.pendingText += n;
    // Many new series in a row (a registry that grew since the last scrape): no copy tells how much
    // room there is, so make it from what is known to be read already.
    if (this.pendingText > inPlaceLimits.maxPendingText) this.place(this.readFrom);
  }

  /** Writes the pending copy. */
  private flushCopy(): void {
    const len = this.copyEnd - this.copyStart;
    if (len === 0) return;
    if (this.inPlace) {
      // Never forward: `place` keeps what is written behind what is left to read.
      const from = this.copyStart + this.shift;
      if (from !== this.written) this.out.copyWithin(this.written, from, from + len);
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
    if (n <= LOOP_COPY) {
      const out = this.out;
      const at = this.written;
      for (let i = 0; i < n; i++) out[at + i] = scratch[i] as number;
    } else scratch.copy(this.out, this.written, 0, n);
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
      this.out.copyWithin(from + gap, from, end);
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
