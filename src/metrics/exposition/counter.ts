import { MetricFamily, Series, type FamilyOptions } from './family.js';
import { formatExemplar, formatValue, type ExpositionFormat, type Exemplar } from './format.js';

class CounterSeries extends Series {
  value = 0;
  exemplar: Exemplar | undefined;
  /** The exemplar formatted, once (its block may be re-rendered for a neighbour's change). */
  exemplarText: string | null = '';
}

export interface CounterChild {
  inc(by?: number, exemplar?: Exemplar): void;
}

/** A monotonically increasing count. The name must end in `_total`. */
export class Counter extends MetricFamily<CounterSeries> {
  readonly type = 'counter';

  constructor(opts: FamilyOptions) {
    super(opts);
    if (!this.name.endsWith('_total')) throw new Error(`counter ${this.name}: name must end in _total`);
  }

  inc(labelValues: readonly string[], by = 1, exemplar?: Exemplar): void {
    this.add(this.get(labelValues), by, exemplar);
  }

  /** The series of these label values, looked up once (hot paths). */
  child(labelValues: readonly string[]): CounterChild {
    const series = this.bind(labelValues);
    return { inc: (by = 1, exemplar) => this.add(series(), by, exemplar) };
  }

  private add(s: CounterSeries, by: number, exemplar: Exemplar | undefined): void {
    if (!(by >= 0)) throw new Error(`${this.name}: counters only go up (got ${by})`);
    s.value += by;
    if (exemplar) {
      s.exemplar = exemplar;
      s.exemplarText = null;
    }
    s.touch();
    this.version++;
  }

  value(labelValues: readonly string[]): number {
    return this.get(labelValues).value;
  }

  protected createSeries(values: readonly string[], labelText: string): CounterSeries {
    return new CounterSeries(values, labelText);
  }

  protected renderSeries(s: CounterSeries, format: ExpositionFormat, out: string[]): void {
    const ex = format === 'openmetrics' ? (s.exemplarText ??= formatExemplar(s.exemplar)) : '';
    out.push(`${this.name}${s.labelText} ${formatValue(s.value)}${ex}\n`);
  }
}
