/**
 * Base of our metric families: label validation at construction, one series per label-value tuple,
 * and a per-series text cache so a scrape re-renders only the series that changed.
 */
import { assertLabelNames, assertMetricName, escapeHelp, formatLabels, type ExpositionFormat } from './format.js';

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface FamilyOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

export abstract class Series {
  /** Rendered text per format, dropped when the value changes. */
  cache: [string | null, string | null] = [null, null];
  /** UTF-8 length of each cached text, so a scrape sizes its buffer without re-encoding. */
  cacheBytes: [number, number] = [0, 0];
  constructor(
    readonly labelValues: readonly string[],
    readonly labelText: string,
  ) {}
  touch(): void {
    this.cache[0] = null;
    this.cache[1] = null;
  }
}

/** Text with its UTF-8 length. */
interface SizedText {
  text: string;
  bytes: number;
}

const SEP = '\u0001';

export abstract class MetricFamily<S extends Series> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  abstract readonly type: MetricType;
  protected readonly series = new Map<string, S>();
  /** Bumped on every change; lets the registry skip re-joining when nothing moved. */
  version = 0;

  constructor(opts: FamilyOptions) {
    assertMetricName(opts.name);
    assertLabelNames(opts.labelNames ?? []);
    this.name = opts.name;
    this.help = opts.help;
    this.labelNames = opts.labelNames ?? [];
  }

  protected abstract createSeries(values: readonly string[], labelText: string): S;
  protected abstract renderSeries(s: S, format: ExpositionFormat): string;

  /** The series for these label values (created at zero when new). */
  protected get(values: readonly string[]): S {
    const key = values.length === 1 ? (values[0] as string) : values.join(SEP);
    let s = this.series.get(key);
    if (s === undefined) {
      if (values.length !== this.labelNames.length) {
        throw new Error(`${this.name}: expected ${this.labelNames.length} label values, got ${values.length}`);
      }
      s = this.createSeries([...values], formatLabels(this.labelNames, values));
      this.series.set(key, s);
      this.version++;
    }
    return s;
  }

  /** Creates the series at zero, so it is exported before its first event. */
  zero(values: readonly string[]): void {
    this.get(values);
  }

  /** Removes every series whose label `name` equals `value` (e.g. an app that went away). */
  removeWhere(name: string, value: string): void {
    const i = this.labelNames.indexOf(name);
    if (i < 0) return;
    for (const [k, s] of this.series) if (s.labelValues[i] === value) this.series.delete(k);
    this.version++;
  }

  seriesCount(): number {
    return this.series.size;
  }

  /** The family's exposition block in the given format (no trailing newline handling needed by callers). */
  render(format: ExpositionFormat): string {
    const out: string[] = [];
    this.collect(format, out);
    return out.join('');
  }

  /**
   * Appends the family's exposition block to `out` as pieces (the header, then each series' cached
   * text) and returns their UTF-8 length. Pieces are never concatenated here: a scrape of many
   * series writes them straight into one buffer (see MetricRegistry.renderBytes).
   */
  collect(format: ExpositionFormat, out: string[]): number {
    const idx = format === 'openmetrics' ? 1 : 0;
    const header = this.header(format);
    out.push(header.text);
    let bytes = header.bytes;
    for (const s of this.series.values()) {
      let text = s.cache[idx];
      if (text === null) {
        text = this.renderSeries(s, format);
        s.cache[idx] = text;
        s.cacheBytes[idx] = Buffer.byteLength(text);
      }
      out.push(text);
      bytes += s.cacheBytes[idx];
    }
    return bytes;
  }

  private readonly headers: [SizedText | null, SizedText | null] = [null, null];

  private header(format: ExpositionFormat): SizedText {
    const idx = format === 'openmetrics' ? 1 : 0;
    let h = this.headers[idx];
    if (h === null) {
      const familyName = idx === 1 && this.type === 'counter' ? this.name.replace(/_total$/, '') : this.name;
      const text = `# HELP ${familyName} ${escapeHelp(this.help)}\n# TYPE ${familyName} ${this.type}\n`;
      h = { text, bytes: Buffer.byteLength(text) };
      this.headers[idx] = h;
    }
    return h;
  }
}
