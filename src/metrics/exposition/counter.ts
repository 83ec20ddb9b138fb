import { MetricFamily, type FamilyOptions } from './family.js';
import { SampleSeries, SeriesRef, type Series } from './series.js';
import { formatValue, type ExpositionFormat } from './format.js';
import { ExemplarTable, type Exemplar } from './exemplars.js';
import type { ScrapeWriter } from './scrape-writer.js';

class CounterSeries extends SampleSeries {
  /** Its slot in the family's exemplar table, from its first exemplar on (-1 before). */
  exemplarAt = -1;
}

export interface CounterChild {
  inc(by?: number, exemplar?: Exemplar): void;
}

function add(counter: Counter, s: CounterSeries, by: number, exemplar: Exemplar | undefined): void {
  if (!(by >= 0)) throw new Error(`${counter.name}: counters only go up (got ${by})`);
  s.value += by;
  if (exemplar) {
    if (s.exemplarAt < 0) s.exemplarAt = counter.exemplars.alloc();
    counter.exemplars.set(s.exemplarAt, exemplar);
  }
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
  /** The newest exemplar of each series that has one. */
  readonly exemplars = new ExemplarTable(1);

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

  protected createSeries(key: number | string, labelText: string): CounterSeries {
    return new CounterSeries(key, this.prefixBytesOf(labelText));
  }

  protected override seriesRemoved(s: CounterSeries): void {
    if (s.exemplarAt >= 0) this.exemplars.free(s.exemplarAt);
  }

  protected seriesText(s: CounterSeries, format: ExpositionFormat): string {
    return `${this.name}${this.labelTextOf(s)}${this.sampleText(s, format)}`;
  }

  /** `name{labels}` copied, then what sampleText says, written without making it a string. */
  protected override rewriteSeries(w: ScrapeWriter, s: CounterSeries, format: ExpositionFormat, oldAt: number): number {
    w.copy(oldAt, s.prefixBytes);
    let bytes = s.prefixBytes + w.ascii(' ') + w.value(s.value);
    if (format === 'openmetrics' && s.exemplarAt >= 0) bytes += this.exemplars.writeTo(w, s.exemplarAt, false);
    return bytes + w.ascii('\n');
  }

  protected seriesSizeHint(s: CounterSeries, format: ExpositionFormat): number {
    return s.prefixBytes + 24 + (format === 'openmetrics' ? 96 : 0);
  }

  /** The line after `name{labels}`: value, exemplar (OpenMetrics), newline. */
  private sampleText(s: CounterSeries, format: ExpositionFormat): string {
    const ex = format === 'openmetrics' && s.exemplarAt >= 0 ? this.exemplars.text(s.exemplarAt) : '';
    return ` ${formatValue(s.value)}${ex}\n`;
  }
}
