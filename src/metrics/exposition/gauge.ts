import { MetricFamily, Series, type FamilyOptions } from './family.js';
import { formatValue, type ExpositionFormat } from './format.js';

class GaugeSeries extends Series {
  value = 0;
}

/** A value that goes up and down. */
export class Gauge extends MetricFamily<GaugeSeries> {
  readonly type = 'gauge';

  constructor(opts: FamilyOptions) {
    super(opts);
  }

  set(labelValues: readonly string[], value: number): void {
    const s = this.get(labelValues);
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

  protected renderSeries(s: GaugeSeries, _format: ExpositionFormat): string {
    return `${this.name}${s.labelText} ${formatValue(s.value)}\n`;
  }
}
