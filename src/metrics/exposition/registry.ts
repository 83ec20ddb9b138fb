/**
 * Holds our metric families and renders them in either exposition format. Extra text sources
 * (prom-client's process/Node metrics) are appended so one endpoint serves everything.
 */
import type { MetricFamily } from './family.js';
import type { Series } from './series.js';
import type { ExpositionFormat } from './format.js';
import { nextGeneration, ScrapeWriter } from './scrape-writer.js';

const EOF = '# EOF\n';
/**
 * Buffers kept for reuse once sent, besides each format's last scrape: one is enough when one
 * format is scraped, and when both are, the spares settle at the larger size.
 */
const MAX_SPARES = 1;
/**
 * A spare more than this much larger than a scrape is let go (memory of a registry that shrank);
 * below it, one spare serves both formats (OpenMetrics is about 1.5 times the text).
 */
const MAX_SLACK = 2;

export type ExtraSource = (format: ExpositionFormat) => Promise<string> | string;

/** The last scrape of one format: the bytes later scrapes copy unchanged series from. */
interface LastScrape {
  body: Buffer | null;
  gen: number;
  /** Given back by recycle(): once a newer scrape replaces it, its memory can be written again. */
  returned: boolean;
}

export class MetricRegistry {
  private readonly families = new Map<string, MetricFamily<Series>>();
  private readonly extras: ExtraSource[] = [];
  private readonly last: Record<ExpositionFormat, LastScrape> = {
    prometheus: { body: null, gen: -1, returned: false },
    openmetrics: { body: null, gen: -1, returned: false },
  };
  /** Memory of sent scrapes, given back by recycle(): the next scrapes write into it. */
  private spares: Buffer[] = [];

  register<F extends MetricFamily<Series>>(family: F): F {
    if (this.families.has(family.name)) throw new Error(`metric ${family.name} is already registered`);
    this.families.set(family.name, family);
    return family;
  }

  /** Adds text rendered by someone else (must not end with `# EOF`). */
  addSource(source: ExtraSource): void {
    this.extras.push(source);
  }

  get(name: string): MetricFamily<Series> | undefined {
    return this.families.get(name);
  }

  names(): string[] {
    return [...this.families.keys()];
  }

  /**
   * Gives back a buffer returned by renderBytes once it has been sent (and nothing else holds it),
   * so a later scrape reuses its memory: a new buffer of megabytes per scrape made V8 run full
   * garbage collections. Optional: an unreturned buffer is just garbage.
   */
  recycle(body: Buffer): void {
    if (body.byteOffset !== 0) return;
    for (const last of Object.values(this.last)) {
      if (last.body !== null && last.body.buffer === body.buffer) {
        last.returned = true; // still the source of the next scrape's copies: reused after that
        return;
      }
    }
    this.keepSpare(body);
  }

  private keepSpare(body: Buffer): void {
    if (this.spares.some((s) => s.buffer === body.buffer)) return;
    this.spares.push(Buffer.from(body.buffer, 0, body.buffer.byteLength));
    if (this.spares.length > MAX_SPARES) {
      this.spares.sort((a, b) => b.length - a.length);
      this.spares.length = MAX_SPARES;
    }
  }

  /**
   * Memory for a scrape of about `bytes` (the last one's size, or a first scrape's exact size): the
   * smallest spare that fits, else a new allocation with room to grow (a scrape grows by a few
   * bytes whenever a counter gains a digit: memory of exactly the last size would be replaced,
   * megabytes at a time, every few scrapes).
   */
  private memory(bytes: number): Buffer {
    const need = bytes + 1024;
    let best = -1;
    for (let i = 0; i < this.spares.length; i++) {
      const len = (this.spares[i] as Buffer).length;
      if (len >= need && (best < 0 || len < (this.spares[best] as Buffer).length)) best = i;
    }
    if (best >= 0) {
      const spare = this.spares.splice(best, 1)[0] as Buffer;
      if (spare.length <= need * MAX_SLACK) return spare;
    }
    return Buffer.allocUnsafeSlow(Math.ceil(bytes * 1.125) + 4096);
  }

  async render(format: ExpositionFormat): Promise<string> {
    const body = await this.renderBytes(format);
    const text = body.toString('utf8');
    this.recycle(body);
    return text;
  }

  /**
   * The exposition as UTF-8 bytes, what /metrics sends. A series that did not change since the
   * last scrape in this format is copied from that scrape's bytes; only changed series are
   * rendered. Extra sources are awaited first, so the writing itself is one synchronous pass.
   */
  async renderBytes(format: ExpositionFormat): Promise<Buffer> {
    const extras: string[] = [];
    for (const extra of this.extras) {
      const text = await extra(format);
      if (text) extras.push(text.endsWith('\n') ? text : `${text}\n`);
    }
    const last = this.last[format];
    const gen = nextGeneration();
    const w = new ScrapeWriter(last.body, last.body === null ? -1 : last.gen, gen, (bytes) => this.memory(bytes));
    // Prometheus text separates families with a blank line; OpenMetrics does not and ends with # EOF.
    const separator = format === 'prometheus' ? '\n' : '';
    let first = true;
    for (const f of this.families.values()) {
      if (!first && separator !== '') w.text(separator);
      first = false;
      f.write(w, format);
    }
    for (const text of extras) {
      if (!first && separator !== '') w.text(separator);
      first = false;
      w.text(text);
    }
    if (format === 'openmetrics') w.text(EOF);
    const body = w.finish();
    const replaced = last.body;
    if (replaced !== null && last.returned) this.keepSpare(replaced);
    last.body = body;
    last.gen = gen;
    last.returned = false;
    return body;
  }
}
