/**
 * Holds our metric families and renders them in either exposition format. Extra text sources
 * (prom-client's process/Node metrics) are appended so one endpoint serves everything.
 */
import { systemClock, type Clock } from '../../clock.js';
import { systemTimers, type Timers } from '../../timers.js';
import type { MetricFamily } from './family.js';
import type { Series } from './series.js';
import type { ExpositionFormat } from './format.js';
import { nextGeneration, releaseMemory, ScrapeWriter, scrapeMemory, wholeMemory } from './scrape-writer.js';

const EOF = '# EOF\n';
/**
 * A format's last scrape is let go (megabytes at tens of thousands of series), its memory given
 * back to the system, once it has not been asked for in LET_GO_AFTER_MS while the other format was
 * scraped at least this many times: a Prometheus server scrapes in one format, and a scraper of
 * the other that comes back rarely (someone's curl) gets a scrape rendered afresh, as after a
 * restart. Scrapers that use both formats keep both (a render afresh costs a render of every
 * series).
 */
const DROP_AFTER_OTHER_SCRAPES = 3;
const LET_GO_AFTER_MS = 10 * 60_000;
/**
 * A scrape's memory that was given back after a newer scrape of its format was written (two
 * scrapers at the same moment, as a pair of Prometheus servers) is kept for the next scrape that
 * needs new memory, for this many scrapes: without it, each such scrape took megabytes of new
 * memory.
 */
const KEEP_SPARE_SCRAPES = 3;
/**
 * How long a scrape waits for the last one of its format to be given back before it takes other
 * memory. The HTTP server gives a body back when the response's `finish` callback runs, and that
 * sometimes comes after the client has read it all and asked again (measured: about one
 * sequential scrape in fifty); the wait lets it arrive. Two scrapers at once wait this long.
 */
const RETURN_WAIT_MS = 50;

export interface RegistryOptions {
  /** For LET_GO_AFTER_MS. */
  clock?: Clock;
  /** Timers for the wait above (tests move them by hand). */
  timers?: Timers;
  /** Overrides RETURN_WAIT_MS (0: never wait). */
  returnWaitMs?: number;
}

export type ExtraSource = (format: ExpositionFormat) => Promise<string> | string;

/** The last scrape of one format: the bytes later scrapes copy unchanged series from. */
interface LastScrape {
  body: Buffer | null;
  gen: number;
  /** Given back by recycle(): nobody reads it any more, so the next scrape is written over it. */
  returned: boolean;
  /** Scrapes of the other format since this one's. */
  othersSince: number;
  /** When it was written (clock ms). */
  at: number;
  /** Scrapes waiting for a scrape of this format to be given back (see RETURN_WAIT_MS). */
  waiting: (() => void)[];
}

export class MetricRegistry {
  private readonly families = new Map<string, MetricFamily<Series>>();
  private readonly extras: ExtraSource[] = [];
  private readonly last: Record<ExpositionFormat, LastScrape> = {
    prometheus: { body: null, gen: -1, returned: false, othersSince: 0, at: 0, waiting: [] },
    openmetrics: { body: null, gen: -1, returned: false, othersSince: 0, at: 0, waiting: [] },
  };
  /** Memory of an older scrape that nobody holds (see KEEP_SPARE_SCRAPES), and scrapes since it was kept. */
  private spare: Buffer | null = null;
  private spareAge = 0;
  /** Scrapes given back (each renderBytes returns a new Buffer object, even over the same memory). */
  private readonly givenBack = new WeakSet<Buffer>();

  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly returnWaitMs: number;

  constructor(opts: RegistryOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.timers = opts.timers ?? systemTimers;
    this.returnWaitMs = opts.returnWaitMs ?? RETURN_WAIT_MS;
  }

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
   * so the next scrape of its format is written over it: one buffer per format, where a new one
   * per scrape (megabytes) made V8 run full garbage collections. One given back after a newer
   * scrape of its format was written is kept for the next scrape that needs new memory. Optional:
   * a buffer not given back is never written again.
   */
  recycle(body: Buffer): void {
    // Given back twice (a bug elsewhere): its memory may be written again already.
    if (this.givenBack.has(body)) return;
    this.givenBack.add(body);
    let current = false;
    for (const last of Object.values(this.last)) {
      if (last.body === body) {
        last.returned = true;
        current = true;
      }
    }
    if (!current) this.keepSpare(body);
    // Scrapes waiting for memory (their format's last scrape, or a spare) go on.
    for (const last of Object.values(this.last)) {
      const waiting = last.waiting;
      last.waiting = [];
      for (const go of waiting) go();
    }
  }

  /** Keeps the memory of a scrape nobody holds for a later scrape (the larger, if there is one already). */
  private keepSpare(body: Buffer): void {
    const memory = wholeMemory(body);
    const spare = this.spare;
    if (spare === null || memory.length > spare.length) {
      if (spare !== null) releaseMemory(spare);
      this.spare = memory;
    } else {
      releaseMemory(memory);
    }
    this.spareAge = 0;
  }

  /** Resolves once a scrape is given back, or after returnWaitMs. */
  private somethingGivenBack(last: LastScrape): Promise<void> {
    return new Promise((resolve) => {
      let cancel = (): void => {};
      const go = (): void => {
        cancel();
        const i = last.waiting.indexOf(go);
        if (i >= 0) last.waiting.splice(i, 1);
        resolve();
      };
      last.waiting.push(go);
      cancel = this.timers.after(this.returnWaitMs, go);
    });
  }

  /** Memory for a scrape of about `bytes`: the spare when it is large enough, else new. */
  private memoryFor(bytes: number): Buffer {
    const spare = this.spare;
    if (spare !== null && spare.length >= bytes) {
      this.spare = null;
      return spare;
    }
    return scrapeMemory(bytes);
  }

  /** A guess of a first scrape's size, from the other format's last scrape or the series count. */
  private sizeHint(format: ExpositionFormat): number {
    const other = this.last[format === 'openmetrics' ? 'prometheus' : 'openmetrics'].body;
    if (other !== null) return format === 'openmetrics' ? other.length * 1.5 : other.length;
    let bytes = 64 * 1024;
    for (const f of this.families.values()) bytes += f.sizeHint(format);
    return bytes;
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
    if (last.body !== null && !last.returned && this.returnWaitMs > 0) await this.somethingGivenBack(last);
    const other = this.last[format === 'openmetrics' ? 'prometheus' : 'openmetrics'];
    const now = this.clock.now();
    last.othersSince = 0;
    last.at = now;
    if (++other.othersSince >= DROP_AFTER_OTHER_SCRAPES && now - other.at >= LET_GO_AFTER_MS && other.body !== null) {
      if (other.returned) releaseMemory(other.body);
      other.body = null;
    }
    if (this.spare !== null && ++this.spareAge > KEEP_SPARE_SCRAPES) {
      releaseMemory(this.spare);
      this.spare = null;
    }
    const gen = nextGeneration();
    const prev = last.body;
    const w =
      prev === null
        ? ScrapeWriter.fresh(gen, this.memoryFor(this.sizeHint(format)))
        : last.returned
          ? ScrapeWriter.inPlace(prev, last.gen, gen)
          : ScrapeWriter.copying(prev, last.gen, gen, this.memoryFor(prev.length));
    let body: Buffer;
    try {
      body = this.writeAll(w, format, extras);
    } catch (err) {
      // Written over in part (in place): not a source for the next scrape, which starts afresh.
      last.body = null;
      throw err;
    }
    last.body = body;
    last.gen = gen;
    last.returned = false;
    return body;
  }

  private writeAll(w: ScrapeWriter, format: ExpositionFormat, extras: string[]): Buffer {
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
    return w.finish();
  }
}
