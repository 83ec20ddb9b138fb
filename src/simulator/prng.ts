/** Seeded pseudo-random numbers (sfc32), so simulator scenarios replay exactly. Never Math.random. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Exponentially distributed with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** One of the keys of `weights`, drawn with probability proportional to its weight. */
  pick<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
    let total = 0;
    for (const [, w] of entries) total += w;
    let r = this.next() * total;
    for (const [k, w] of entries) {
      r -= w;
      if (r < 0) return k;
    }
    return entries[entries.length - 1]![0];
  }

  /** A version-4 UUID built from this generator (written as flat ASCII: cheap for bulk inserts). */
  uuid(): string {
    const b = this.nextUint32();
    const c = this.nextUint32();
    putHex(0, this.nextUint32(), 8);
    UUID_BUF[8] = DASH;
    putHex(9, b >>> 16, 4);
    UUID_BUF[13] = DASH;
    putHex(14, (b & 0x0fff) | 0x4000, 4);
    UUID_BUF[18] = DASH;
    putHex(19, ((c >>> 16) & 0x3fff) | 0x8000, 4);
    UUID_BUF[23] = DASH;
    putHex(24, c & 0xffff, 4);
    putHex(28, this.nextUint32(), 8);
    return UUID_BUF.toString('latin1', 0, 36);
  }
}

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const UUID_BUF = Buffer.alloc(36);
const DASH = 0x2d;

function putHex(pos: number, value: number, digits: number): void {
  let v = value >>> 0;
  for (let i = digits - 1; i >= 0; i--) {
    UUID_BUF[pos + i] = HEX_DIGITS[v & 15]!;
    v >>>= 4;
  }
}
