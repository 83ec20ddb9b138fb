/**
 * Base of our metric families: label validation at construction, one series per label-value tuple,
 * and the bytes of each series kept from one scrape to the next, so a scrape renders only the
 * series that changed and copies the rest (see ScrapeWriter).
 */
import { assertLabelNames, assertMetricName, escapeHelp, formatLabels, type ExpositionFormat } from './format.js';
import type { ScrapeWriter } from './scrape-writer.js';
import type { Series } from './series.js';

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface FamilyOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

/**
 * Series keys: each label value gets a small id per label position, and the ids are packed into
 * one number, each in as many bits as its position needs so far (widened, and the keys made
 * again, when a position gets more values). A number key takes no string per series (tens of
 * thousands of them), finding it joins nothing, and while the ids fit in 31 bits it is a small
 * integer V8 stores in place. Past KEY_BITS (many labels or values) the key is a string of each
 * value after its length, which no other values give (a separator could appear in a value).
 */
const KEY_BITS = 52;
/** Bits a label position starts with (16 values). */
const FIRST_BITS = 4;
/** changedBits of a series changed since it was last written in either format (bit 0 Prometheus, bit 1 OpenMetrics). */
const CHANGED_BOTH = 3;
/** changedBits of a series never written in either format (bit 2 Prometheus, bit 3 OpenMetrics). */
const NEW_BOTH = 12;
const formatIndex = (format: ExpositionFormat): 0 | 1 => (format === 'openmetrics' ? 1 : 0);

/**
 * Where the last scrape in one format wrote a family's block, and each series in it (offset from
 * the block's start, length), in arrays by series index: a scrape walks tens of thousands of
 * series, and flat arrays are much cheaper to walk than the series objects.
 */
export class FamilyBytes {
  /** The scrape that wrote the block, at `at`, `len` bytes long; -1 while it is being rewritten. */
  gen = 0;
  at = 0;
  len = 0;
  /** The family's version then: unchanged since, the whole block is copied. */
  version = -1;
  seriesAt = new Int32Array(0);
  seriesLen = new Int32Array(0);
  header: string | null = null;
}

export abstract class MetricFamily<S extends Series> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  abstract readonly type: MetricType;
  protected readonly series = new Map<number | string, S>();
  /** Per label position: the id of each value seen, the values by id, and the bits its ids take in a key. */
  private readonly labelIds: Map<string, number>[];
  private readonly labelValues: string[][];
  private readonly idBits: number[];
  /** The series in exposition order (creation order). */
  protected ordered: S[] = [];
  /** Per series (by index), a bit per format set when it changed since last written in that format. */
  protected changedBits = new Uint8Array(16);
  protected readonly written = [new FamilyBytes(), new FamilyBytes()] as const;
  /** The series with the label values of a removed one (made again), shared by every SeriesRef. */
  protected readonly lookup = (removed: Series): S => this.get(this.valuesOf(removed));
  /** Bumped on every change. */
  version = 0;

  constructor(opts: FamilyOptions) {
    assertMetricName(opts.name);
    assertLabelNames(opts.labelNames ?? []);
    this.name = opts.name;
    this.help = opts.help;
    this.labelNames = opts.labelNames ?? [];
    this.labelIds = this.labelNames.map(() => new Map<string, number>());
    this.labelValues = this.labelNames.map(() => []);
    this.idBits = this.labelNames.map(() => FIRST_BITS);
  }

  protected abstract createSeries(key: number | string, labelText: string): S;
  /** The series' lines, each ending in a newline. */
  protected abstract seriesText(s: S, format: ExpositionFormat): string;

  /**
   * Writes a changed series that the previous scrape wrote at `oldAt`; returns its byte length.
   * Families whose series start with the same bytes every time copy those instead of rendering them.
   */
  protected rewriteSeries(w: ScrapeWriter, s: S, format: ExpositionFormat, _oldAt: number): number {
    return w.text(this.seriesText(s, format));
  }

  /** `{a="x",b="y"}` of a series, made again from its key. */
  protected labelTextOf(s: Series): string {
    return formatLabels(this.labelNames, this.valuesOf(s));
  }

  /** UTF-8 length of `name` followed by these labels. */
  protected prefixBytesOf(labelText: string): number {
    return Buffer.byteLength(this.name) + Buffer.byteLength(labelText);
  }

  /** The series for these label values (created at zero when new). */
  protected get(values: readonly string[]): S {
    if (values.length !== this.labelNames.length) {
      throw new Error(`${this.name}: expected ${this.labelNames.length} label values, got ${values.length}`);
    }
    const key = this.keyOf(values);
    let s = this.series.get(key);
    if (s === undefined) {
      s = this.createSeries(key, formatLabels(this.labelNames, values));
      this.series.set(key, s);
      s.index = this.ordered.length;
      this.ordered.push(s);
      if (s.index >= this.changedBits.length) this.changedBits = grow(this.changedBits, this.ordered.length);
      this.changedBits[s.index] = CHANGED_BOTH | NEW_BOTH;
      this.version++;
    }
    return s;
  }

  /** The map key of these label values (see KEY_BITS). */
  private keyOf(values: readonly string[]): number | string {
    if (values.length * FIRST_BITS > KEY_BITS) return stringKey(values);
    let key = 0;
    for (let i = 0; i < values.length; i++) {
      const value = values[i] as string;
      let id = (this.labelIds[i] as Map<string, number>).get(value);
      if (id === undefined) {
        id = this.newId(i, value);
        if (id < 0) return stringKey(values);
      }
      // Widening position i (in newId) changes only how the ids before it are shifted, here.
      key = key * 2 ** (this.idBits[i] as number) + id;
    }
    return key;
  }

  /** Gives `value` an id at label position `i` (widening the position if it must); -1 when keys cannot grow. */
  private newId(i: number, value: string): number {
    const known = this.labelValues[i] as string[];
    const id = known.length;
    if (id >= 2 ** (this.idBits[i] as number)) {
      let total = 0;
      for (const bits of this.idBits) total += bits;
      if (total >= KEY_BITS) return -1;
      const before = [...this.idBits];
      this.idBits[i] = (this.idBits[i] as number) + 1;
      this.rekey(before);
    }
    (this.labelIds[i] as Map<string, number>).set(value, id);
    known.push(value);
    return id;
  }

  /** Packs every number key again after a position was widened (its ids were packed with `before`). */
  private rekey(before: readonly number[]): void {
    const all = [...this.series];
    this.series.clear();
    for (const [key, s] of all) {
      s.key = typeof key === 'number' ? pack(unpack(key, before), this.idBits) : key;
      this.series.set(s.key, s);
    }
  }

  /** A series was removed: let go of what it holds outside its object. */
  protected seriesRemoved(_s: S): void {}

  /** The label values of a series. */
  protected valuesOf(s: Series): readonly string[] {
    const n = this.labelNames.length;
    const key = s.key;
    if (typeof key === 'number') return unpack(key, this.idBits).map((id, i) => (this.labelValues[i] as string[])[id] as string);
    const values = new Array<string>(n);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const colon = key.indexOf(':', at);
      const end = colon + 1 + Number(key.slice(at, colon));
      values[i] = key.slice(colon + 1, end);
      at = end;
    }
    return values;
  }

  /** The series' value changed: its next scrape in each format renders it again. */
  changed(s: S): void {
    this.changedBits[s.index] = (this.changedBits[s.index] as number) | CHANGED_BOTH;
    this.version++;
  }

  /** Creates the series at zero, so it is exported before its first event. */
  zero(values: readonly string[]): void {
    this.get(values);
  }

  /** Removes every series whose label `name` equals `value` (e.g. an app that went away). */
  removeWhere(name: string, value: string): void {
    const i = this.labelNames.indexOf(name);
    if (i < 0) return;
    let removed = false;
    for (const [k, s] of this.series) {
      if (this.valuesOf(s)[i] !== value) continue;
      this.series.delete(k);
      s.index = -1;
      this.seriesRemoved(s);
      removed = true;
    }
    if (!removed) return;
    // The survivors keep their bytes (and offsets): a run of neighbours is copied as one only
    // while it is contiguous in the previous scrape.
    const kept: S[] = [];
    for (let from = 0; from < this.ordered.length; from++) {
      const s = this.ordered[from] as S;
      if (s.index < 0) continue;
      const to = kept.length;
      this.changedBits[to] = this.changedBits[from] as number;
      for (const fb of this.written) {
        if (from < fb.seriesAt.length) {
          fb.seriesAt[to] = fb.seriesAt[from] as number;
          fb.seriesLen[to] = fb.seriesLen[from] as number;
        }
      }
      s.index = to;
      kept.push(s);
    }
    this.ordered = kept;
    this.version++;
  }

  /** A guess of the block's size in bytes (memory for a first scrape): its last size, else from its first series. */
  sizeHint(format: ExpositionFormat): number {
    const fb = this.written[formatIndex(format)];
    if (fb.len > 0) return fb.len;
    const first = this.ordered[0];
    return first === undefined ? 256 : 256 + this.ordered.length * this.seriesSizeHint(first, format);
  }

  /** About the bytes of a series like `s` (an exemplar allowed for in OpenMetrics). */
  protected abstract seriesSizeHint(s: S, format: ExpositionFormat): number;

  seriesCount(): number {
    return this.series.size;
  }

  /** The family's exposition block in the given format (rendered afresh, for tests and tools). */
  render(format: ExpositionFormat): string {
    const out = [this.header(format)];
    for (const s of this.ordered) out.push(this.seriesText(s, format));
    return out.join('');
  }

  /**
   * Writes the family's exposition block, copying from the previous scrape what did not change:
   * the whole block when no series changed, else each run of unchanged series.
   */
  write(w: ScrapeWriter, format: ExpositionFormat): void {
    const fb = this.written[formatIndex(format)];
    const start = w.position;
    const inPrev = fb.gen === w.prevGen;
    if (inPrev && fb.version === this.version) {
      w.copy(fb.at, fb.len);
    } else {
      const from = fb.at;
      fb.gen = -1; // the series' offsets are being rewritten: not a copy source until done
      if (fb.seriesAt.length < this.ordered.length) {
        fb.seriesAt = grow(fb.seriesAt, this.ordered.length);
        fb.seriesLen = grow(fb.seriesLen, this.ordered.length);
      }
      w.text(this.header(format));
      this.writeSeries(w, format, start, inPrev ? from : -1);
      fb.version = this.version;
    }
    fb.gen = w.gen;
    fb.at = start;
    fb.len = w.position - start;
  }

  /**
   * Writes each series of the block that starts at `start`. When `from` is not -1, the previous
   * scrape's block started there, and a series that did not change since is copied from it.
   */
  protected writeSeries(w: ScrapeWriter, format: ExpositionFormat, start: number, from: number): void {
    const f = formatIndex(format);
    const bit = 1 << f;
    const newBit = 4 << f;
    const fb = this.written[f];
    const at = fb.seriesAt;
    const len = fb.seriesLen;
    const changed = this.changedBits;
    const ordered = this.ordered;
    const n = ordered.length;
    let i = 0;
    while (i < n) {
      if (from >= 0 && ((changed[i] as number) & bit) === 0) {
        // A run of unchanged series, contiguous in the previous scrape: one copy.
        const first = at[i] as number;
        let end = first + (len[i] as number);
        let j = i + 1;
        while (j < n && ((changed[j] as number) & bit) === 0 && at[j] === end) end += len[j++] as number;
        const shift = w.position - start - first;
        w.copy(from + first, end - first);
        if (shift !== 0) for (let k = i; k < j; k++) at[k] = (at[k] as number) + shift;
        i = j;
      } else {
        const bits = changed[i] as number;
        const oldAt = at[i] as number;
        at[i] = w.position - start;
        const s = ordered[i] as S;
        len[i] = from >= 0 && (bits & newBit) === 0 ? this.rewriteSeries(w, s, format, from + oldAt) : w.text(this.seriesText(s, format));
        changed[i] = bits & ~(bit | newBit);
        i++;
      }
    }
  }

  protected header(format: ExpositionFormat): string {
    const fb = this.written[formatIndex(format)];
    if (fb.header === null) {
      const familyName = format === 'openmetrics' && this.type === 'counter' ? this.name.replace(/_total$/, '') : this.name;
      fb.header = `# HELP ${familyName} ${escapeHelp(this.help)}\n# TYPE ${familyName} ${this.type}\n`;
    }
    return fb.header;
  }
}

/** Ids packed in a number key, each in its position's bits (keyOf does the same as it finds them). */
function pack(ids: readonly number[], bits: readonly number[]): number {
  let key = 0;
  for (let i = 0; i < ids.length; i++) key = key * 2 ** (bits[i] as number) + (ids[i] as number);
  return key;
}

/** The ids packed in a number key, each in its position's bits. */
function unpack(key: number, bits: readonly number[]): number[] {
  const ids = new Array<number>(bits.length);
  for (let i = bits.length - 1; i >= 0; i--) {
    const radix = 2 ** (bits[i] as number);
    ids[i] = key % radix;
    key = Math.floor(key / radix);
  }
  return ids;
}

/** A string key of label values: each after its length and a colon (`3:abc0:`), so it reads back exactly. */
function stringKey(values: readonly string[]): string {
  const parts: string[] = [];
  for (const v of values) parts.push(String(v.length), ':', v);
  return parts.join('');
}

/** A copy of `a` with room for at least `n` elements. */
function grow<A extends Uint8Array | Int32Array>(a: A, n: number): A {
  const bigger = new (a.constructor as new (n: number) => A)(Math.max(n, a.length * 2, 16));
  bigger.set(a);
  return bigger;
}
