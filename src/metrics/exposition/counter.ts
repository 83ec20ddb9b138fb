import { MetricFamily, Series, type FamilyOptions } from './family.js';
import { formatExemplar, formatValue, type ExpositionFormat, type Exemplar } from './format.js';

class CounterSeries extends Series {
  value = 0;
  exemplar: Exemplar | undefined;
}

/** A monotonically increasing count. The name must end in `_total`. */
export class Counter extends MetricFamily<CounterSeries> {
  readonly type = 'counter';

  constructor(opts: FamilyOptions) {
    super(opts);
    if (!this.name.endsWith('_total')) throw new Error(`counter ${this.name}: name must end in _total`);
  }

  inc(labelValues: readonly string[], by = 1, exemplar?: Exemplar): void {
    if (!(by >= 0)) throw new Error(`${this.name}: counters only go up (got ${by})`);
    const s = this.get(labelValues);
    s.value += by;
    if (exemplar) s.exemplar = exemplar;
    s.touch();
    this.version++;
  }

  value(labelValues: readonly string[]): number {
    return this.get(labelValues).value;
  }

  protected createSeries(values: readonly string[], labelText: string): CounterSeries {
    return new CounterSeries(values, labelText);
  }

  protected renderSeries(s: CounterSeries, format: ExpositionFormat): string {
    const ex = format === 'openmetrics' ? formatExemplar(s.exemplar) : '';
    return `${this.name}${s.labelText} ${formatValue(s.value)}${ex}\n`;
  }
}
