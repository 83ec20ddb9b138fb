import { MetricFamily, type FamilyOptions } from './family.js';
import { SampleSeries, SeriesRef, type Series } from './series.js';
import { formatValue, type ExpositionFormat } from './format.js';
import type { ScrapeWriter } from './scrape-writer.js';

class GaugeSeries extends SampleSeries {}

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

  protected createSeries(key: number | string, labelText: string): GaugeSeries {
    return new GaugeSeries(key, this.prefixBytesOf(labelText));
  }

  protected seriesText(s: GaugeSeries, _format: ExpositionFormat): string {
    return `${this.name}${this.labelTextOf(s)} ${formatValue(s.value)}\n`;
  }

  protected override rewriteSeries(w: ScrapeWriter, s: GaugeSeries, _format: ExpositionFormat, oldAt: number): number {
    w.copy(oldAt, s.prefixBytes);
    return s.prefixBytes + w.ascii(' ') + w.value(s.value) + w.ascii('\n');
  }

  protected seriesSizeHint(s: GaugeSeries, _format: ExpositionFormat): number {
    return s.prefixBytes + 24;
  }
}
