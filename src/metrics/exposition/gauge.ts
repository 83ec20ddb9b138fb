import { MetricFamily, type FamilyOptions } from './family.js';
import { Series, SeriesRef } from './series.js';
import { formatValue, type ExpositionFormat } from './format.js';

class GaugeSeries extends Series {
  value = 0;
}

export interface GaugeChild {
  set(value: number): void;
  value(): number;
}

function assign(gauge: Gauge, s: GaugeSeries, value: number): void {
  if (s.value === value) return;
  s.value = value;
  gauge.changed(s);
}

/** A gauge's series for fixed label values (Gauge.child). */
class BoundGauge extends SeriesRef<GaugeSeries> implements GaugeChild {
  constructor(
    private readonly gauge: Gauge,
    lookup: (removed: Series) => GaugeSeries,
    s: GaugeSeries,
  ) {
    super(lookup, s);
  }
  set(value: number): void {
    assign(this.gauge, this.series(), value);
  }
  value(): number {
    return this.series().value;
  }
}

/** A value that goes up and down. */
export class Gauge extends MetricFamily<GaugeSeries> {
  readonly type = 'gauge';

  constructor(opts: FamilyOptions) {
    super(opts);
  }

  set(labelValues: readonly string[], value: number): void {
    assign(this, this.get(labelValues), value);
  }

  /** The series of these label values, looked up once (hot paths). */
  child(labelValues: readonly string[]): GaugeChild {
    return new BoundGauge(this, this.lookup, this.get(labelValues));
  }

  value(labelValues: readonly string[]): number {
    return this.get(labelValues).value;
  }

  protected createSeries(key: string, labelText: string, values: readonly string[] | null): GaugeSeries {
    return new GaugeSeries(key, labelText, values);
  }

  protected seriesText(s: GaugeSeries, _format: ExpositionFormat): string {
    return `${this.name}${s.labelText} ${formatValue(s.value)}\n`;
  }
}
