import { MetricFamily, Series, type FamilyOptions } from './family.js';
import { formatExemplar, formatValue, type ExpositionFormat, type Exemplar } from './format.js';

class HistogramSeries extends Series {
  /** Non-cumulative count per bucket; the last slot is +Inf. */
  counts: number[];
  exemplars: (Exemplar | undefined)[];
  /** Each bucket's exemplar formatted, once: every change to the series re-renders all its buckets. */
  exemplarText: (string | null)[];
  sum = 0;
  count = 0;
  /** `name_bucket{labels,le="`: the start of every bucket line, made once. */
  readonly bucketOpen: string;
  constructor(values: readonly string[], labelText: string, buckets: number, name: string) {
    super(values, labelText);
    this.counts = new Array<number>(buckets + 1).fill(0);
    this.exemplars = new Array<Exemplar | undefined>(buckets + 1);
    this.exemplarText = new Array<string | null>(buckets + 1).fill('');
    this.bucketOpen = `${name}_bucket${labelText === '' ? '{' : `${labelText.slice(0, -1)},`}le="`;
  }
}

export interface HistogramChild {
  observe(value: number, exemplar?: Exemplar): void;
}

export interface HistogramOptions extends FamilyOptions {
  buckets: readonly number[];
}

/** Observations counted into fixed, cumulative buckets. */
export class Histogram extends MetricFamily<HistogramSeries> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];
  /** The rest of each bucket's label set, `0.5"} `, after the series' bucketOpen. */
  private readonly leText: string[];

  constructor(opts: HistogramOptions) {
    super(opts);
    if (opts.labelNames?.includes('le')) throw new Error(`${opts.name}: "le" is reserved for histogram buckets`);
    const b = [...opts.buckets];
    if (b.length === 0 || b.some((x, i) => !Number.isFinite(x) || (i > 0 && x <= (b[i - 1] as number)))) {
      throw new Error(`${opts.name}: buckets must be finite and strictly increasing`);
    }
    this.buckets = b;
    this.leText = [...b.map(formatValue), '+Inf'].map((le) => `${le}"} `);
  }

  observe(labelValues: readonly string[], value: number, exemplar?: Exemplar): void {
    this.add(this.get(labelValues), value, exemplar);
  }

  /** The series of these label values, looked up once (hot paths). */
  child(labelValues: readonly string[]): HistogramChild {
    const series = this.bind(labelValues);
    return { observe: (value, exemplar) => this.add(series(), value, exemplar) };
  }

  private add(s: HistogramSeries, value: number, exemplar: Exemplar | undefined): void {
    const i = this.bucketIndex(value);
    s.counts[i] = (s.counts[i] as number) + 1;
    s.sum += value;
    s.count++;
    if (exemplar) {
      s.exemplars[i] = exemplar;
      s.exemplarText[i] = null;
    }
    s.touch();
    this.version++;
  }

  /** Count and sum of one series, for tests and the landing page. */
  snapshot(labelValues: readonly string[]): { count: number; sum: number; buckets: number[] } {
    const s = this.get(labelValues);
    return { count: s.count, sum: s.sum, buckets: [...s.counts] };
  }

  private bucketIndex(value: number): number {
    const b = this.buckets;
    let lo = 0;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (value <= (b[mid] as number)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  protected createSeries(values: readonly string[], labelText: string): HistogramSeries {
    return new HistogramSeries(values, labelText, this.buckets.length, this.name);
  }

  protected renderSeries(s: HistogramSeries, format: ExpositionFormat, out: string[]): void {
    const om = format === 'openmetrics';
    let cumulative = 0;
    for (let i = 0; i < this.leText.length; i++) {
      cumulative += s.counts[i] as number;
      out.push(`${s.bucketOpen}${this.leText[i]}${cumulative}${om ? (s.exemplarText[i] ??= formatExemplar(s.exemplars[i])) : ''}\n`);
    }
    out.push(`${this.name}_sum${s.labelText} ${formatValue(s.sum)}\n${this.name}_count${s.labelText} ${s.count}\n`);
  }
}
