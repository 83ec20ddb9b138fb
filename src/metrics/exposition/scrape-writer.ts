/**
 * Writes one scrape into a buffer. The bytes of a series that did not change since the previous
 * scrape in the same format are copied from that scrape's buffer (runs of neighbours in one copy);
 * only changed series are rendered to text. No cached text lives on the V8 heap, so a busy scrape
 * leaves no long-lived strings for the garbage collector to copy and promote.
 */
import { decimalDigits } from './format.js';

/** Generations are unique across registries, so a series stamped by one never matches another. */
let lastGeneration = 0;
export function nextGeneration(): number {
  return ++lastGeneration;
}

export class ScrapeWriter {
  private out: Buffer | null = null;
  /** Without a previous scrape, the text is kept until its size is known (one exact allocation). */
  private pieces: string[] | null = null;
  /** Bytes written into `out` (or measured in `pieces`); a pending copy follows them. */
  private written = 0;
  private copyStart = 0;
  private copyEnd = 0;

  /**
   * @param prev the previous scrape of this format (what families copy from)
   * @param prevGen its generation: a family block written by that scrape is in `prev`
   * @param gen this scrape's generation, stamped on the blocks it writes
   * @param memory gives memory for at least `bytes` (grown here if a scrape outgrows it)
   */
  constructor(
    private readonly prev: Buffer | null,
    readonly prevGen: number,
    readonly gen: number,
    private readonly memory: (bytes: number) => Buffer,
  ) {
    if (prev === null) this.pieces = [];
    else this.out = memory(prev.length);
  }

  /** Bytes of this scrape so far. */
  get position(): number {
    return this.written + this.copyEnd - this.copyStart;
  }

  /** Appends bytes `at..at+len` of the previous scrape (a series that did not change). */
  copy(at: number, len: number): void {
    if (this.copyEnd === at && this.copyEnd !== this.copyStart) {
      this.copyEnd += len;
      return;
    }
    this.flush();
    this.copyStart = at;
    this.copyEnd = at + len;
  }

  /** Appends text as UTF-8; returns its byte length. */
  text(s: string): number {
    if (this.pieces !== null) {
      const n = Buffer.byteLength(s);
      this.pieces.push(s);
      this.written += n;
      return n;
    }
    this.flush();
    let out = this.out as Buffer;
    // A UTF-16 code unit is at most 3 bytes of UTF-8: measure exactly only near the end of the buffer.
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
    this.flush();
    const out = this.out as Buffer;
    let v = value;
    let p = at + decimalDigits(v) - 1;
    do {
      out[p--] = 48 + (v % 10);
      v = Math.floor(v / 10);
    } while (v > 0);
  }

  /** The scrape: a view of the bytes written. */
  finish(): Buffer {
    if (this.pieces !== null) {
      const out = this.memory(this.written);
      let offset = 0;
      for (const piece of this.pieces) offset += out.write(piece, offset);
      this.pieces = null;
      return out.subarray(0, offset);
    }
    this.flush();
    return (this.out as Buffer).subarray(0, this.written);
  }

  private flush(): void {
    const len = this.copyEnd - this.copyStart;
    if (len === 0) return;
    const out = this.reserve(len);
    (this.prev as Buffer).copy(out, this.written, this.copyStart, this.copyEnd);
    this.written += len;
    this.copyStart = this.copyEnd = 0;
  }

  /** `out`, with room for `bytes` more (a larger buffer holding what was written if need be). */
  private reserve(bytes: number): Buffer {
    const out = this.out as Buffer;
    const need = this.written + bytes;
    if (need <= out.length) return out;
    const grown = Buffer.allocUnsafeSlow(Math.max(need, Math.ceil(out.length * 1.5)));
    out.copy(grown, 0, 0, this.written);
    this.out = grown;
    return grown;
  }
}
