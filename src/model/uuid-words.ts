/**
 * Dify's ids (log rows, runs) are lowercase UUIDs: 36 characters, 16 bytes of information.
 * Held as four 32-bit words they cost 16 bytes instead of a ~56-byte string. Only the canonical
 * lowercase form is packed, so that unpacking gives back exactly the string that came in.
 */

const HEX_DIGIT = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX_DIGIT[48 + c] = c;
for (let c = 0; c < 6; c++) HEX_DIGIT[97 + c] = 10 + c;

const BYTE_HEX: string[] = [];
for (let b = 0; b < 256; b++) BYTE_HEX.push(b.toString(16).padStart(2, '0'));

/** The words of hex digits [from, to) of `s`, or -1 when one is not a lowercase hex digit. */
function hexWord(s: string, from: number, to: number): number {
  let w = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    const d = c < 128 ? (HEX_DIGIT[c] as number) : -1;
    if (d < 0) return -1;
    w = w * 16 + d;
  }
  return w;
}

/**
 * Packs a canonical lowercase UUID (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`) into out[at..at+3].
 * Returns false (out untouched) for anything else: upper case, braces, other lengths, other ids.
 */
export function packUuid(s: string, out: Uint32Array, at: number): boolean {
  if (s.length !== 36 || s.charCodeAt(8) !== 45 || s.charCodeAt(13) !== 45 || s.charCodeAt(18) !== 45 || s.charCodeAt(23) !== 45) return false;
  const w0 = hexWord(s, 0, 8);
  const a = hexWord(s, 9, 13);
  const b = hexWord(s, 14, 18);
  const c = hexWord(s, 19, 23);
  const d = hexWord(s, 24, 28);
  const w3 = hexWord(s, 28, 36);
  if (w0 < 0 || a < 0 || b < 0 || c < 0 || d < 0 || w3 < 0) return false;
  out[at] = w0;
  out[at + 1] = a * 0x10000 + b;
  out[at + 2] = c * 0x10000 + d;
  out[at + 3] = w3;
  return true;
}

function wordHex(w: number): string {
  return (BYTE_HEX[w >>> 24] as string) + (BYTE_HEX[(w >>> 16) & 255] as string) + (BYTE_HEX[(w >>> 8) & 255] as string) + (BYTE_HEX[w & 255] as string);
}

/** The UUID packed at words[at..at+3] by packUuid. */
export function unpackUuid(words: Uint32Array, at: number): string {
  const w1 = words[at + 1] as number;
  const w2 = words[at + 2] as number;
  const h1 = wordHex(w1);
  const h2 = wordHex(w2);
  return `${wordHex(words[at] as number)}-${h1.slice(0, 4)}-${h1.slice(4)}-${h2.slice(0, 4)}-${h2.slice(4)}${wordHex(words[at + 3] as number)}`;
}

/** ASCII of each byte's two lowercase hex digits, high digit first. */
const HEX_ASCII = new Uint8Array(512);
for (let b = 0; b < 256; b++) {
  HEX_ASCII[2 * b] = (BYTE_HEX[b] as string).charCodeAt(0);
  HEX_ASCII[2 * b + 1] = (BYTE_HEX[b] as string).charCodeAt(1);
}

/** Characters of a UUID's text (unpackUuid), which is ASCII: as many bytes. */
export const UUID_TEXT_LENGTH = 36;

/**
 * The text unpackUuid gives for words[at..at+3], as ASCII bytes into out[pos..pos+35]: for
 * writers of UTF-8, without making the string.
 */
export function writeUuidText(words: Uint32Array, at: number, out: Uint8Array, pos: number): void {
  pos = writeHexBytes(words[at] as number, 4, out, pos);
  out[pos++] = 45;
  const w1 = words[at + 1] as number;
  pos = writeHexBytes(w1 >>> 16, 2, out, pos);
  out[pos++] = 45;
  pos = writeHexBytes(w1 & 0xffff, 2, out, pos);
  out[pos++] = 45;
  const w2 = words[at + 2] as number;
  pos = writeHexBytes(w2 >>> 16, 2, out, pos);
  out[pos++] = 45;
  pos = writeHexBytes(w2 & 0xffff, 2, out, pos);
  writeHexBytes(words[at + 3] as number, 4, out, pos);
}

/** The hex digits of the low `bytes` bytes of `value`, high byte first, into out from pos; returns the position after. */
function writeHexBytes(value: number, bytes: number, out: Uint8Array, pos: number): number {
  for (let shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    const h = ((value >>> shift) & 255) * 2;
    out[pos++] = HEX_ASCII[h] as number;
    out[pos++] = HEX_ASCII[h + 1] as number;
  }
  return pos;
}

/** A 32-bit hash of the packed UUID at words[at..at+3] (UUIDv7 ids share their leading bits). */
export function hashWords(words: Uint32Array, at: number): number {
  let h = Math.imul(words[at] as number, 0x85ebca6b) ^ Math.imul(words[at + 1] as number, 0xc2b2ae35);
  h ^= Math.imul(words[at + 2] as number, 0x27d4eb2f) ^ Math.imul(words[at + 3] as number, 0x165667b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}
