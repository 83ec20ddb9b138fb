/**
 * The protocol-buffers wire format, as much of it as an OTLP trace request needs: varints,
 * fixed-width integers, doubles and length-delimited fields, written into one growing buffer
 * that is reused from request to request.
 */
import { writeUuidText } from '../../model/uuid-words.js';

/** Wire types. */
export const VARINT = 0;
export const FIXED64 = 1;
export const LEN = 2;
export const FIXED32 = 5;

const TWO_32 = 2 ** 32;
/** Copying this few bytes by hand beats TypedArray.prototype.set. */
const SMALL_COPY = 64;

/** Bytes a varint of `value` (a non-negative safe integer) takes. */
export function varintSize(value: number): number {
  let size = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

/** Bytes of a length-delimited field: tag, length, payload. */
export function lenFieldSize(field: number, payloadBytes: number): number {
  return varintSize(field << 3) + varintSize(payloadBytes) + payloadBytes;
}

export class ProtoWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.pos;
  }

  reset(): void {
    this.pos = 0;
  }

  /** A copy of what was written (the writer is reused; the request body must not change under a retry). */
  toBytes(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }

  /** What was written, without copying; valid until the writer is next written to. */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  /** A non-negative safe integer. */
  varint(value: number): void {
    this.reserve(10);
    const buf = this.buf;
    let pos = this.pos;
    while (value >= 128) {
      buf[pos++] = (value % 128) | 128;
      value = Math.floor(value / 128);
    }
    buf[pos++] = value;
    this.pos = pos;
  }

  /** An int64 varint: negative values take ten bytes (two's complement), as protobuf encodes them. */
  int64(value: number): void {
    if (value >= 0) {
      this.varint(value);
      return;
    }
    this.reserve(10);
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 128n) {
      this.buf[this.pos++] = Number(v & 127n) | 128;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  fixed32(value: number): void {
    this.reserve(4);
    this.buf.writeUInt32LE(value >>> 0, this.pos);
    this.pos += 4;
  }

  /** A 64-bit unsigned integer given as its low and high 32 bits. */
  fixed64(low: number, high: number): void {
    this.reserve(8);
    this.fixed64At(this.pos, low, high);
    this.pos += 8;
  }

  double(value: number): void {
    this.reserve(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  /** The first `n` bytes of `data` (all of it by default). */
  bytes(data: Uint8Array, n = data.length): void {
    this.reserve(n);
    if (n <= SMALL_COPY) {
      const buf = this.buf;
      const pos = this.pos;
      for (let i = 0; i < n; i++) buf[pos + i] = data[i]!;
    } else {
      this.buf.set(n === data.length ? data : data.subarray(0, n), this.pos);
    }
    this.pos += n;
  }

  /** A length-delimited field holding the first `n` bytes of `data` (all of it by default). */
  lenField(field: number, data: Uint8Array, n = data.length): void {
    this.tag(field, LEN);
    this.varint(n);
    this.bytes(data, n);
  }

  /**
   * Starts a length-delimited field whose payload is written next, its length not known yet:
   * `lengthBytes` are kept for the length (the size its varint will most likely take). Returns
   * where the payload starts, for endLen. Saves writing the payload elsewhere and copying it in.
   */
  beginLen(field: number, lengthBytes: number): number {
    this.tag(field, LEN);
    this.reserve(lengthBytes);
    this.pos += lengthBytes;
    return this.pos;
  }

  /**
   * Ends the field begun at `start` (beginLen's result, with the same `lengthBytes`): writes its
   * length, moving the payload when the varint takes more or fewer bytes than were kept.
   */
  endLen(start: number, lengthBytes: number): void {
    const length = this.pos - start;
    const shift = varintSize(length) - lengthBytes;
    if (shift !== 0) {
      if (shift > 0) this.reserve(shift);
      this.buf.copyWithin(start + shift, start, this.pos);
      this.pos += shift;
    }
    let at = start - lengthBytes;
    let value = length;
    const buf = this.buf;
    while (value >= 128) {
      buf[at++] = (value % 128) | 128;
      value = Math.floor(value / 128);
    }
    buf[at] = value;
  }

  /** Copies what was written into `target` (at least `length` bytes long). */
  copyTo(target: Uint8Array): void {
    this.buf.copy(target, 0, 0, this.pos);
  }

  /** A string field (UTF-8). */
  stringField(field: number, text: string): void {
    this.tag(field, LEN);
    this.stringBody(text);
  }

  /** Length and UTF-8 bytes of `text`, the tag already written. */
  stringBody(text: string): void {
    const bytes = Buffer.byteLength(text, 'utf8');
    this.varint(bytes);
    this.reserve(bytes);
    this.pos += this.buf.write(text, this.pos, bytes, 'utf8');
  }

  /** Writes `data` as it is; returns where it starts, for filling parts of it in (the *At methods). */
  put(data: Uint8Array): number {
    const at = this.pos;
    this.bytes(data);
    return at;
  }

  /** Overwrites written bytes from `pos` with `data`. */
  bytesAt(pos: number, data: Uint8Array): void {
    const buf = this.buf;
    for (let i = 0; i < data.length; i++) buf[pos + i] = data[i]!;
  }

  /** Overwrites the written fixed64 at `pos` with seconds and nanoseconds as Unix nanoseconds (writeUnixNanos). */
  unixNanosAt(pos: number, seconds: number, nanos: number): void {
    unixNanosHalves(seconds, nanos);
    this.fixed64At(pos, HALVES[0] as number, HALVES[1] as number);
  }

  /** The 8 little-endian bytes of a 64-bit unsigned integer given as its low and high 32 bits, at `pos`. */
  private fixed64At(pos: number, low: number, high: number): void {
    const buf = this.buf;
    buf[pos] = low & 255;
    buf[pos + 1] = (low >>> 8) & 255;
    buf[pos + 2] = (low >>> 16) & 255;
    buf[pos + 3] = (low >>> 24) & 255;
    buf[pos + 4] = high & 255;
    buf[pos + 5] = (high >>> 8) & 255;
    buf[pos + 6] = (high >>> 16) & 255;
    buf[pos + 7] = (high >>> 24) & 255;
  }

  /** Overwrites UUID_TEXT_LENGTH written bytes from `pos` with the text of a packed UUID (unpackUuid). */
  uuidTextAt(pos: number, words: Uint32Array, at: number): void {
    writeUuidText(words, at, this.buf, pos);
  }

  private reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}

/** Low and high 32 bits of the last unixNanosHalves. */
const HALVES = new Float64Array(2);

/**
 * Seconds and nanoseconds as one count of nanoseconds (a non-negative integer below 2^64), split
 * into its low and high 32 bits in HALVES.
 */
function unixNanosHalves(seconds: number, nanos: number): void {
  // seconds * 1e9 + nanos overflows a double's exact range; 1e9 = 1953125 * 2^9 keeps it exact.
  const scaled = Math.max(0, Math.floor(seconds)) * 1953125; // < 2^53 until the year 2116
  let high = Math.floor(scaled / 2 ** 23);
  let low = (scaled % 2 ** 23) * 512 + nanos;
  if (low >= TWO_32) {
    low -= TWO_32;
    high += 1;
  }
  HALVES[0] = low;
  HALVES[1] = high;
}

/** Writes seconds and nanoseconds as one fixed64 count of nanoseconds, low half first. */
export function writeUnixNanos(w: ProtoWriter, seconds: number, nanos: number): void {
  unixNanosHalves(seconds, nanos);
  w.fixed64(HALVES[0] as number, HALVES[1] as number);
}
