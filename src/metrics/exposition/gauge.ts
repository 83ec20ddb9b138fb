import { MetricFamily, Series, type FamilyOptions } from './family.js';
import { formatValue, type ExpositionFormat } from './format.js';

class GaugeSeries extends Series {
  value = 0;
}

export interface GaugeChild {
  set(value: number): void;
  value(): number;
}

/** A value that goes up and down. */
export class Gauge extends MetricFamily<GaugeSeries> {
  readonly type = 'gauge';

  constructor(opts: FamilyOptions) {
    super(opts);
  }

  set(labelValues: readonly string[], value: number): void {
    this.assign(this.get(labelValues), value);
  }

  /** The series of these label values, looked up once (hot paths). */
  child(labelValues: readonly string[]): GaugeChild {
    const series = this.bind(labelValues);
    return { set: (value) => this.assign(series(), value), value: () => series().value };
  }

  private assign(s: GaugeSeries, value: number): void {
    if (s.value === value) return;
    s.value = value;
    s.touch();
    this.version++;
  }

  value(labelValues: readonly string[]): number {
    return this.get(labelValues).value;
  }

  protected createSeries(values: readonly string[], labelText: string): GaugeSeries {
    return new GaugeSeries(values, labelText);
  }

  protected renderSeries(s: GaugeSeries, _format: ExpositionFormat, out: string[]): void {
    out.push(`${this.name}${s.labelText} ${formatValue(s.value)}\n`);
  }
}
