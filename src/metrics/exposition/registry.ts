/**
 * Holds our metric families and renders them in either exposition format. Extra text sources
 * (prom-client's process/Node metrics) are appended so one endpoint serves everything.
 */
import type { MetricFamily, Series } from './family.js';
import type { ExpositionFormat } from './format.js';

const EOF = '# EOF\n';
/** Smaller scrapes are cheap to allocate; only large ones are worth keeping memory for. */
const MIN_RECYCLED = 256 * 1024;

export type ExtraSource = (format: ExpositionFormat) => Promise<string> | string;

export class MetricRegistry {
  private readonly families = new Map<string, MetricFamily<Series>>();
  private readonly extras: ExtraSource[] = [];
  /** Memory of a sent scrape, given back by recycle(): the next scrape writes into it. */
  private spare: Buffer | null = null;

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
   * so the next scrape reuses its memory: a new buffer of megabytes per scrape made V8 run full
   * garbage collections, the main cause of slow scrapes. Optional: an unreturned buffer is just
   * garbage.
   */
  recycle(body: Buffer): void {
    if (body.byteOffset !== 0 || body.buffer.byteLength < MIN_RECYCLED) return;
    if (this.spare === null || this.spare.length < body.buffer.byteLength) this.spare = Buffer.from(body.buffer, 0, body.buffer.byteLength);
  }

  /** `bytes` of memory for a scrape: the spare if it fits, else a new allocation with room to grow. */
  private buffer(bytes: number): Buffer {
    const spare = this.spare;
    if (spare !== null && spare.length >= bytes) {
      this.spare = null;
      return spare.subarray(0, bytes);
    }
    return Buffer.allocUnsafeSlow(bytes < MIN_RECYCLED ? bytes : Math.ceil(bytes * 1.125)).subarray(0, bytes);
  }

  async render(format: ExpositionFormat): Promise<string> {
    return (await this.renderBytes(format)).toString('utf8');
  }

  /**
   * The exposition as UTF-8 bytes, what /metrics sends. Each series' text is cached and its length
   * known, so a scrape is one exact allocation and one copy per series: no giant intermediate
   * string (joining tens of thousands of pieces, then encoding them, cost ~10x more and left
   * large garbage behind on every scrape).
   */
  async renderBytes(format: ExpositionFormat): Promise<Buffer> {
    // Prometheus text separates families with a blank line; OpenMetrics does not and ends with # EOF.
    const separator = format === 'prometheus' ? '\n' : '';
    const pieces: string[] = [];
    let bytes = 0;
    let first = true;
    const next = (): void => {
      if (!first && separator !== '') {
        pieces.push(separator);
        bytes += separator.length;
      }
      first = false;
    };
    for (const f of this.families.values()) {
      next();
      bytes += f.collect(format, pieces);
    }
    for (const extra of this.extras) {
      const text = await extra(format);
      if (!text) continue;
      next();
      const piece = text.endsWith('\n') ? text : `${text}\n`;
      pieces.push(piece);
      bytes += Buffer.byteLength(piece);
    }
    if (format === 'openmetrics') {
      pieces.push(EOF);
      bytes += EOF.length;
    }
    const out = this.buffer(bytes);
    let offset = 0;
    for (const piece of pieces) offset += out.write(piece, offset, 'utf8');
    if (offset !== bytes) throw new Error(`metrics exposition: wrote ${offset} bytes, expected ${bytes}`);
    return out;
  }
}
