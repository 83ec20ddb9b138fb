import { MetricFamily, type FamilyOptions } from './family.js';
import { SampleSeries, SeriesRef, type Series } from './series.js';
import { formatExemplar, formatValue, type ExpositionFormat, type Exemplar } from './format.js';
import type { ScrapeWriter } from './scrape-writer.js';

class CounterSeries extends SampleSeries {
  /** The newest exemplar until it is formatted (then only its text is kept). */
  exemplar: Exemplar | undefined;
  exemplarText = '';
}

export interface CounterChild {
  inc(by?: number, exemplar?: Exemplar): void;
}

function add(counter: Counter, s: CounterSeries, by: number, exemplar: Exemplar | undefined): void {
  if (!(by >= 0)) throw new Error(`${counter.name}: counters only go up (got ${by})`);
  s.value += by;
  if (exemplar) s.exemplar = exemplar;
  counter.changed(s);
}

/** A counter's series for fixed label values (Counter.child). */
class BoundCounter extends SeriesRef<CounterSeries> implements CounterChild {
  constructor(
    private readonly counter: Counter,
    lookup: (removed: Series) => CounterSeries,
    s: CounterSeries,
  ) {
    super(lookup, s);
  }
  inc(by = 1, exemplar?: Exemplar): void {
    add(this.counter, this.series(), by, exemplar);
  }
}

/** A monotonically increasing count. The name must end in `_total`. */
export class Counter extends MetricFamily<CounterSeries> {
  readonly type = 'counter';

  constructor(opts: FamilyOptions) {
    super(opts);
    if (!this.name.endsWith('_total')) throw new Error(`counter ${this.name}: name must end in _total`);
  }

  inc(labelValues: readonly string[], by = 1, exemplar?: Exemplar): void {
    add(this, this.get(labelValues), by, exemplar);
  }

  /** The series of these label values, looked up once (hot paths). */
  child(labelValues: readonly string[]): CounterChild {
    return new BoundCounter(this, this.lookup, this.get(labelValues));
  }

  value(labelValues: readonly string[]): number {
    return this.get(labelValues).value;
  }

  protected createSeries(key: string, labelText: string, values: readonly string[] | null): CounterSeries {
    return new CounterSeries(key, values, this.prefixBytesOf(labelText));
  }

  protected seriesText(s: CounterSeries, format: ExpositionFormat): string {
    return `${this.name}${this.labelTextOf(s)}${this.sampleText(s, format)}`;
  }

  protected override rewriteSeries(w: ScrapeWriter, s: CounterSeries, format: ExpositionFormat, oldAt: number): number {
    w.copy(oldAt, s.prefixBytes);
    return s.prefixBytes + w.text(this.sampleText(s, format));
  }

  protected seriesSizeHint(s: CounterSeries, format: ExpositionFormat): number {
    return s.prefixBytes + 24 + (format === 'openmetrics' ? 96 : 0);
  }

  /**
   * The line after `name{labels}`: value, exemplar (OpenMetrics), newline. A new exemplar is
   * formatted at the next scrape of either format, so its object is let go even when only the
   * Prometheus text format is scraped.
   */
  private sampleText(s: CounterSeries, format: ExpositionFormat): string {
    if (s.exemplar !== undefined) {
      s.exemplarText = formatExemplar(s.exemplar);
      s.exemplar = undefined;
    }
    const ex = format === 'openmetrics' ? s.exemplarText : '';
    return ` ${formatValue(s.value)}${ex}\n`;
  }
}
