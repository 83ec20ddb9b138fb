/**
 * Base of our metric families: label validation at construction, one series per label-value tuple,
 * and a text cache so a scrape re-renders only what changed. Series are cached in small blocks of
 * consecutive series: a scrape of tens of thousands of series copies a few thousand cached blocks,
 * and a change re-renders only its block.
 */
import { assertLabelNames, assertMetricName, escapeHelp, formatLabels, type ExpositionFormat } from './format.js';

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface FamilyOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

/** Consecutive series whose text is rendered and cached together, per format. */
class Block<S extends Series> {
  readonly series: S[] = [];
  /** Rendered text per format (Prometheus, OpenMetrics); null when a series in it changed. */
  readonly text: [string | null, string | null] = [null, null];
  /** UTF-8 length of each text, so a scrape sizes its buffer without encoding twice. */
  readonly bytes: [number, number] = [0, 0];
  invalidate(): void {
    this.text[0] = null;
    this.text[1] = null;
  }
}

export abstract class Series {
  /** The cache block this series is rendered in; null once the series is removed. */
  block: Block<Series> | null = null;
  constructor(
    readonly labelValues: readonly string[],
    readonly labelText: string,
  ) {}
  /** The value changed: the cached text of its block is stale. */
  touch(): void {
    this.block?.invalidate();
  }
}

const SEP = '\u0001';
/**
 * Series per block: one changed series costs re-rendering its block, an unchanged block costs one
 * copy per scrape. A histogram series is already ~18 lines, so it is a block of its own.
 */
const BLOCK_SIZE = 8;

export abstract class MetricFamily<S extends Series> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  abstract readonly type: MetricType;
  protected readonly series = new Map<string, S>();
  private blocks: Block<S>[] = [];
  private readonly headers: [{ text: string; bytes: number } | null, { text: string; bytes: number } | null] = [null, null];
  /** Bumped on every change. */
  version = 0;

  constructor(opts: FamilyOptions) {
    assertMetricName(opts.name);
    assertLabelNames(opts.labelNames ?? []);
    this.name = opts.name;
    this.help = opts.help;
    this.labelNames = opts.labelNames ?? [];
  }

  protected abstract createSeries(values: readonly string[], labelText: string): S;
  /** Appends the series' lines (each ending in a newline) to `out`. */
  protected abstract renderSeries(s: S, format: ExpositionFormat, out: string[]): void;

  /** Series per cache block (see BLOCK_SIZE). */
  protected get blockSize(): number {
    return this.type === 'histogram' ? 1 : BLOCK_SIZE;
  }

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
      this.place(s);
      this.version++;
    }
    return s;
  }

  private place(s: S): void {
    let block = this.blocks[this.blocks.length - 1];
    if (block === undefined || block.series.length >= this.blockSize) {
      block = new Block<S>();
      this.blocks.push(block);
    }
    block.series.push(s);
    block.invalidate();
    s.block = block as Block<Series>;
  }

  /**
   * A function returning the series of these label values, looked up once: for hot paths that
   * update the same series for every run. It follows the series if it is removed and made again.
   */
  protected bind(labelValues: readonly string[]): () => S {
    const values = [...labelValues];
    let s = this.get(values);
    return () => (s.block === null ? (s = this.get(values)) : s);
  }

  /** Creates the series at zero, so it is exported before its first event. */
  zero(values: readonly string[]): void {
    this.get(values);
  }

  /** Removes every series whose label `name` equals `value` (e.g. an app that went away). */
  removeWhere(name: string, value: string): void {
    const i = this.labelNames.indexOf(name);
    if (i < 0) return;
    let removed = false;
    for (const [k, s] of this.series) {
      if (s.labelValues[i] !== value) continue;
      this.series.delete(k);
      s.block = null;
      removed = true;
    }
    if (!removed) return;
    this.blocks = [];
    for (const s of this.series.values()) this.place(s);
    this.version++;
  }

  seriesCount(): number {
    return this.series.size;
  }

  /** The family's exposition block in the given format. */
  render(format: ExpositionFormat): string {
    const out: string[] = [];
    this.collect(format, out);
    return out.join('');
  }

  /**
   * Appends the family's exposition block to `out` as pieces (its header, then each cached block
   * of series) and returns their UTF-8 length. The registry writes the pieces straight into one
   * buffer: no large intermediate string is ever built.
   */
  collect(format: ExpositionFormat, out: string[]): number {
    const idx = format === 'openmetrics' ? 1 : 0;
    const header = this.header(idx);
    out.push(header.text);
    let bytes = header.bytes;
    for (const block of this.blocks) {
      let text = block.text[idx];
      if (text === null) {
        // join() builds one flat string in a single copy; `+=` would leave a rope to flatten later.
        const parts: string[] = [];
        for (const s of block.series) this.renderSeries(s, format, parts);
        text = parts.join('');
        block.text[idx] = text;
        block.bytes[idx] = Buffer.byteLength(text);
      }
      out.push(text);
      bytes += block.bytes[idx];
    }
    return bytes;
  }

  private header(idx: 0 | 1): { text: string; bytes: number } {
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
