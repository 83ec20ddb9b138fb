/** Histograms: observations counted into fixed buckets, exposed as cumulative bucket lines. */
import { MetricFamily, type FamilyOptions } from './family.js';
import { decimalDigits, formatValue, type ExpositionFormat } from './format.js';
import { ExemplarTable, type Exemplar } from './exemplars.js';
import { HistogramSeries, UNCHANGED } from './histogram-series.js';
import type { ScrapeWriter } from './scrape-writer.js';
import { SeriesRef, type Series } from './series.js';

export interface HistogramChild {
  observe(value: number, exemplar?: Exemplar): void;
}

export interface HistogramOptions extends FamilyOptions {
  buckets: readonly number[];
}

/** The index of the first bucket whose upper bound is >= value (the last slot is +Inf). */
function bucketIndex(buckets: readonly number[], value: number): number {
  let lo = 0;
  let hi = buckets.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value <= (buckets[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function add(h: Histogram, s: HistogramSeries, value: number, exemplar: Exemplar | undefined): void {
  const i = bucketIndex(h.buckets, value);
  s.counts[i] = (s.counts[i] as number) + 1;
  s.sum += value;
  s.count++;
  if (exemplar) {
    if (s.exemplarsAt < 0) s.exemplarsAt = h.exemplars.alloc();
    h.exemplars.set(s.exemplarsAt + i, exemplar);
  }
  if (i < s.changedFrom0) s.changedFrom0 = i;
  if (i < s.changedFrom1) s.changedFrom1 = i;
  h.changed(s);
}

/** A histogram's series for fixed label values (Histogram.child). */
class BoundHistogram extends SeriesRef<HistogramSeries> implements HistogramChild {
  constructor(
    private readonly histogram: Histogram,
    lookup: (removed: Series) => HistogramSeries,
    s: HistogramSeries,
  ) {
    super(lookup, s);
  }
  observe(value: number, exemplar?: Exemplar): void {
    add(this.histogram, this.series(), value, exemplar);
  }
}

/** Observations counted into fixed, cumulative buckets. */
export class Histogram extends MetricFamily<HistogramSeries> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];
  /** The newest exemplar of each bucket of the series that have one. */
  readonly exemplars: ExemplarTable;
  /** The rest of each bucket's label set, `0.5"} `, after the series' bucketOpen. */
  private readonly leText: string[];
  /**
   * Reused by writeChanged: counts of copied lines to rewrite, (position, count) pairs. A typed
   * array: emptying a plain array frees its storage, and every changed series would allocate anew.
   */
  private patches = new Float64Array(64);

  constructor(opts: HistogramOptions) {
    super(opts);
    if (opts.labelNames?.includes('le')) throw new Error(`${opts.name}: "le" is reserved for histogram buckets`);
    const b = [...opts.buckets];
    if (b.length === 0 || b.some((x, i) => !Number.isFinite(x) || (i > 0 && x <= (b[i - 1] as number)))) {
      throw new Error(`${opts.name}: buckets must be finite and strictly increasing`);
    }
    this.buckets = b;
    this.leText = [...b.map(formatValue), '+Inf'].map((le) => `${le}"} `);
    this.exemplars = new ExemplarTable(this.leText.length);
  }

  observe(labelValues: readonly string[], value: number, exemplar?: Exemplar): void {
    add(this, this.get(labelValues), value, exemplar);
  }

  /** The series of these label values, looked up once (hot paths). */
  child(labelValues: readonly string[]): HistogramChild {
    return new BoundHistogram(this, this.lookup, this.get(labelValues));
  }

  /** Count and sum of one series, for tests and the landing page. */
  snapshot(labelValues: readonly string[]): { count: number; sum: number; buckets: number[] } {
    const s = this.get(labelValues);
    return { count: s.count, sum: s.sum, buckets: [...s.counts] };
  }

  protected createSeries(key: number | string, labelText: string): HistogramSeries {
    return new HistogramSeries(key, labelText, this.buckets.length, this.name);
  }

  protected override seriesSizeHint(s: HistogramSeries, format: ExpositionFormat): number {
    return (this.leText.length + 2) * (s.bucketOpenBytes + 32 + (format === 'openmetrics' ? 96 : 0));
  }

  protected override seriesRemoved(s: HistogramSeries): void {
    if (s.exemplarsAt >= 0) this.exemplars.free(s.exemplarsAt);
  }

  protected seriesText(s: HistogramSeries, format: ExpositionFormat): string {
    return this.linesFrom(s, 0, format === 'openmetrics');
  }

  /**
   * As the base class, but a changed series is written line by line: an observation changes the
   * count on its bucket's line and the lines above (cumulative), nothing below. Lines below the
   * first changed bucket are copied from the previous scrape; a changed line that kept its length
   * (same number of digits, same exemplar) is copied too and its count rewritten in place; only the
   * other lines, _sum and _count are rendered.
   */
  protected override writeSeries(w: ScrapeWriter, format: ExpositionFormat, start: number, from: number): void {
    const om = format === 'openmetrics';
    const fb = this.written[om ? 1 : 0];
    const at = fb.seriesAt;
    const len = fb.seriesLen;
    const ordered = this.ordered;
    for (let i = 0; i < ordered.length; i++) {
      const s = ordered[i] as HistogramSeries;
      const changedFrom = om ? s.changedFrom1 : s.changedFrom0;
      const ends = om ? s.lineEnds1 : s.lineEnds0;
      const cachedAt = from + (at[i] as number);
      at[i] = w.position - start;
      if (from < 0 || ends === null) len[i] = this.writeWhole(w, s, om);
      else if (changedFrom === UNCHANGED) w.copy(cachedAt, len[i] as number);
      else len[i] = this.writeChanged(w, s, om, ends, cachedAt, changedFrom);
      if (om) s.changedFrom1 = UNCHANGED;
      else s.changedFrom0 = UNCHANGED;
    }
  }

  /** Renders a whole series and notes where its bucket lines end; returns its length. */
  private writeWhole(w: ScrapeWriter, s: HistogramSeries, om: boolean): number {
    const bytes = w.text(this.linesFrom(s, 0, om));
    let ends = om ? s.lineEnds1 : s.lineEnds0;
    if (ends === null) {
      ends = new Int32Array(this.leText.length);
      if (om) s.lineEnds1 = ends;
      else s.lineEnds0 = ends;
    }
    let end = 0;
    let cumulative = 0;
    for (let i = 0; i < ends.length; i++) {
      cumulative += s.counts[i] as number;
      end += this.lineBytes(s, i, cumulative, om);
      ends[i] = end;
    }
    return bytes;
  }

  /**
   * Writes a series whose lines from bucket `first` up may have changed since the previous scrape
   * wrote it at `cachedAt` (its lines ending at `ends`, updated here); returns its length. Nothing
   * is made into a string: a line that kept its length is copied and its count rewritten, another
   * gets its `name_bucket{labels,le="x"} ` copied and its count and exemplar written after it.
   */
  private writeChanged(w: ScrapeWriter, s: HistogramSeries, om: boolean, ends: Int32Array, cachedAt: number, first: number): number {
    const seriesAt = w.position;
    let oldStart = first === 0 ? 0 : (ends[first - 1] as number);
    if (oldStart > 0) w.copy(cachedAt, oldStart);
    let cumulative = 0;
    for (let i = 0; i < first; i++) cumulative += s.counts[i] as number;
    let patches = this.patches;
    if (patches.length < 2 * ends.length) patches = this.patches = new Float64Array(2 * ends.length);
    let nPatches = 0;
    for (let i = first; i < ends.length; i++) {
      cumulative += s.counts[i] as number;
      const oldEnd = ends[i] as number;
      const prefix = s.bucketOpenBytes + (this.leText[i] as string).length;
      const exemplar = om && s.exemplarsAt >= 0 ? s.exemplarsAt + i : -1;
      const oldBytes = oldEnd - oldStart;
      if ((exemplar < 0 || !this.exemplars.isNew(exemplar)) && this.lineBytes(s, i, cumulative, om) === oldBytes) {
        w.copy(cachedAt + oldStart, oldBytes);
        patches[nPatches++] = w.position - oldBytes + prefix;
        patches[nPatches++] = cumulative;
      } else {
        w.copy(cachedAt + oldStart, prefix);
        w.uint(cumulative);
        if (exemplar >= 0) this.exemplars.writeTo(w, exemplar, true);
        w.ascii('\n');
      }
      ends[i] = w.position - seriesAt;
      oldStart = oldEnd;
    }
    // The counts of copied lines, once their bytes are written.
    for (let i = 0; i < nPatches; i += 2) w.rewriteUint(patches[i] as number, patches[i + 1] as number);
    this.writeSample(w, '_sum', s, s.sum);
    this.writeSample(w, '_count', s, s.count);
    return w.position - seriesAt;
  }

  /** `name<suffix>{labels} value`, a line of the series, written without making a string. */
  private writeSample(w: ScrapeWriter, suffix: string, s: HistogramSeries, value: number): void {
    w.ascii(this.name);
    w.ascii(suffix);
    w.text(s.labelText);
    w.ascii(' ');
    w.value(value);
    w.ascii('\n');
  }

  /** UTF-8 length of bucket line i with this cumulative count (and the bucket's exemplar in OpenMetrics). */
  private lineBytes(s: HistogramSeries, i: number, cumulative: number, om: boolean): number {
    return s.bucketOpenBytes + (this.leText[i] as string).length + decimalDigits(cumulative) + (om && s.exemplarsAt >= 0 ? this.exemplars.writtenBytes(s.exemplarsAt + i) : 0) + 1;
  }

  /** Bucket i's exemplar for its OpenMetrics line ('' without one), noted as written. */
  private exemplarText(s: HistogramSeries, i: number): string {
    return s.exemplarsAt < 0 ? '' : this.exemplars.writeText(s.exemplarsAt + i);
  }

  /** The series' lines from bucket `first` up, then _sum and _count. */
  private linesFrom(s: HistogramSeries, first: number, om: boolean): string {
    const out: string[] = [];
    let cumulative = 0;
    for (let i = 0; i < first; i++) cumulative += s.counts[i] as number;
    for (let i = first; i < this.leText.length; i++) {
      cumulative += s.counts[i] as number;
      out.push(`${s.bucketOpen}${this.leText[i]}${cumulative}${om ? this.exemplarText(s, i) : ''}\n`);
    }
    out.push(`${this.name}_sum${s.labelText} ${formatValue(s.sum)}\n${this.name}_count${s.labelText} ${s.count}\n`);
    return out.join('');
  }
}
