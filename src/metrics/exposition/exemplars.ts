/**
 * Exemplars (OpenMetrics): the trace of one observation of a series. A family keeps its series'
 * exemplars in typed arrays, a trace id as 16 bytes, so recording one allocates nothing that
 * outlives the call: at tens of runs a second, an object and a formatted string kept per exemplar
 * until the next scrape were promoted to the old generation and made it grow.
 */
import { formatValue } from './format.js';
import type { ScrapeWriter } from './scrape-writer.js';

/** An exemplar as given by the caller; its fields are copied. */
export interface Exemplar {
  /**
   * A W3C trace id: 32 lowercase hex digits (an exemplar with any other string is not kept), or
   * its 16 bytes as four 32-bit words, the first digits first (no string to build and parse).
   */
  traceId: string | Uint32Array;
  value: number;
  /** Unix seconds. */
  timestamp: number;
}

const SET = 1;
/** Set since OpenMetrics last wrote the slot. */
const NEW = 2;

const HEX = '0123456789abcdef';
/** Scratch for a trace id's hex digits (formatting is synchronous). */
const hexOut = Buffer.alloc(32);

/** The 32-bit value of the 8 lowercase hex digits of `s` from `at`, or -1. */
function hexWord(s: string, at: number): number {
  let word = 0;
  for (let i = at; i < at + 8; i++) {
    const c = s.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) return -1;
    word = word * 16 + d;
  }
  return word;
}

/** The last trace id parsed, as four 32-bit words: one run's exemplars share their id. */
const parsed = new Uint32Array(4);
let parsedId: string | null = null;

/** Parses a trace id into `parsed`; false when it is not 32 lowercase hex digits. */
function parseTraceId(id: string): boolean {
  if (id === parsedId) return true;
  if (id.length !== 32) return false;
  parsedId = null; // `parsed` is being overwritten
  for (let w = 0; w < 4; w++) {
    const word = hexWord(id, 8 * w);
    if (word < 0) return false;
    parsed[w] = word;
  }
  parsedId = id;
  return true;
}

/**
 * A family's exemplar slots, given out in blocks of `width` (one per counter series, one per
 * bucket of a histogram series), only to series that get an exemplar.
 */
export class ExemplarTable {
  /** Per slot: the trace id as four 32-bit words. */
  private ids = new Uint32Array(0);
  private values = new Float64Array(0);
  private times = new Float64Array(0);
  /** Per slot: SET, NEW. */
  private state = new Uint8Array(0);
  /** Per slot: the UTF-8 length of its text as OpenMetrics last wrote it (0: none). */
  private written = new Uint8Array(0);
  private slots = 0;
  private readonly freed: number[] = [];

  constructor(private readonly width: number) {}

  /** A block of `width` empty slots; returns the first. */
  alloc(): number {
    const at = this.freed.pop();
    if (at !== undefined) return at;
    const first = this.slots;
    this.slots += this.width;
    if (this.slots > this.state.length) this.grow(Math.max(this.slots, this.state.length * 2, 16));
    return first;
  }

  /** Gives a block back (its series was removed). */
  free(first: number): void {
    this.state.fill(0, first, first + this.width);
    this.written.fill(0, first, first + this.width);
    this.freed.push(first);
  }

  /** Stores an exemplar in a slot; one whose trace id is not 32 lowercase hex digits is ignored. */
  set(slot: number, e: Exemplar): void {
    let words: Uint32Array;
    if (typeof e.traceId !== 'string') words = e.traceId;
    else if (parseTraceId(e.traceId)) words = parsed;
    else return;
    const ids = this.ids;
    ids[4 * slot] = words[0] as number;
    ids[4 * slot + 1] = words[1] as number;
    ids[4 * slot + 2] = words[2] as number;
    ids[4 * slot + 3] = words[3] as number;
    this.values[slot] = e.value;
    this.times[slot] = e.timestamp;
    this.state[slot] = SET | NEW;
  }

  /** The slot holds an exemplar that OpenMetrics has not written yet. */
  isNew(slot: number): boolean {
    return ((this.state[slot] as number) & NEW) !== 0;
  }

  /** ` # {trace_id="..."} 1 1700000000.000`, or '' for an empty slot. */
  text(slot: number): string {
    if (this.state[slot] === 0) return '';
    this.traceHex(slot);
    const t = this.times[slot] as number;
    const ts = t.toFixed(3);
    return ` # {trace_id="${hexOut.toString('latin1')}"} ${formatValue(this.values[slot] as number)} ${ts}`;
  }

  /** The slot's text for an OpenMetrics line: it is no longer new, and its length is noted. */
  writeText(slot: number): string {
    const text = this.text(slot);
    this.noteWritten(slot, text.length); // ASCII: as many bytes as characters
    return text;
  }

  /**
   * Appends the slot's text (as `text` makes it) to a scrape without making a string; returns its
   * length. With `note`, as writeText: no longer new, length noted.
   */
  writeTo(w: ScrapeWriter, slot: number, note: boolean): number {
    if (this.state[slot] === 0) return 0;
    this.traceHex(slot);
    let n = w.ascii(' # {trace_id="') + w.bytes(hexOut, 32) + w.ascii('"} ') + w.value(this.values[slot] as number) + w.ascii(' ');
    const t = this.times[slot] as number;
    // Whole seconds (the usual case): the digits toFixed(3) gives, without making a string.
    n += Number.isSafeInteger(t) && t >= 0 ? w.uint(t) + w.ascii('.000') : w.ascii(t.toFixed(3));
    if (note) this.noteWritten(slot, n);
    return n;
  }

  /** The UTF-8 length of the slot's text as OpenMetrics last wrote it. */
  writtenBytes(slot: number): number {
    return this.written[slot] as number;
  }

  /** The slot's trace id as hex digits, in hexOut. */
  private traceHex(slot: number): void {
    for (let w = 0; w < 4; w++) {
      const word = this.ids[4 * slot + w] as number;
      for (let i = 0; i < 8; i++) hexOut[8 * w + i] = HEX.charCodeAt((word >>> (28 - 4 * i)) & 15);
    }
  }

  private noteWritten(slot: number, bytes: number): void {
    this.state[slot] = (this.state[slot] as number) & ~NEW;
    this.written[slot] = bytes;
  }

  private grow(n: number): void {
    this.ids = resized(this.ids, 4 * n);
    this.values = resized(this.values, n);
    this.times = resized(this.times, n);
    this.state = resized(this.state, n);
    this.written = resized(this.written, n);
  }
}

function resized<A extends Uint8Array | Uint32Array | Float64Array>(a: A, n: number): A {
  const b = new (a.constructor as new (n: number) => A)(n);
  b.set(a);
  return b;
}
