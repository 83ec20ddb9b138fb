/**
 * Scenario 3: /metrics cost with many apps and every run-counter label combination in use, in both
 * text formats; timed in-process (the bytes /metrics sends) and over HTTP from another process
 * (request sent to last byte received). Idle: nothing changes between scrapes. Busy: `churn` runs
 * are recorded before each scrape, on random apps and label combinations.
 */
import { request } from 'node:http';
import { startChild, type BenchChild } from '../lib/ipc.js';
import { median, percentile } from '../lib/stats.js';
import type { MemorySample, MemoryStats } from '../lib/proc-stats.js';
import type { ExpositionFormat } from '../../src/metrics/exposition/format.js';

export interface ScrapeOptions {
  apps: number;
  scrapes: number;
  /** Runs recorded before each busy scrape. */
  churn: number;
}

export interface Timing {
  medianMs: number;
  p99Ms: number;
}

type ByFormat<T> = Record<ExpositionFormat, T>;

export interface ScrapeResult {
  apps: number;
  scrapes: number;
  churn: number;
  series: number;
  bytes: ByFormat<number>;
  idle: { inProcess: ByFormat<Timing>; http: ByFormat<Timing> };
  busy: { inProcess: ByFormat<Timing>; http: ByFormat<Timing> };
  peakRssMb: number;
}

const FORMATS = ['prometheus', 'openmetrics'] as const;

const ACCEPT: ByFormat<string> = {
  prometheus: 'text/plain;version=0.0.4;q=0.9,*/*;q=0.1',
  openmetrics: 'application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
};

function scrapeOnce(url: string, accept: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(url, { headers: { accept }, timeout: 30_000 }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`/metrics answered ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('/metrics timed out')));
    req.on('error', reject);
    req.end();
  });
}

const timing = (xs: number[]): Timing => ({ medianMs: median(xs), p99Ms: percentile(xs, 99) });

async function measure(child: BenchChild, url: string, o: ScrapeOptions, churn: number): Promise<{ inProcess: ByFormat<Timing>; http: ByFormat<Timing> }> {
  const inProcess = {} as ByFormat<Timing>;
  const http = {} as ByFormat<Timing>;
  for (const format of FORMATS) {
    inProcess[format] = timing(await child.call<number[]>('renderTimes', { format, scrapes: o.scrapes, churn }));
    const times: number[] = [];
    for (let i = 0; i < o.scrapes; i++) {
      if (churn > 0) await child.call('churn', { runs: churn });
      times.push(await scrapeOnce(url, ACCEPT[format]));
    }
    http[format] = timing(times);
  }
  return { inProcess, http };
}

export async function runScrape(o: ScrapeOptions, log: (line: string) => void): Promise<ScrapeResult> {
  const child = await startChild('scrape');
  try {
    const info = await child.call<{ url: string; series: number; bytes: ByFormat<number> }>('start', { apps: o.apps });
    log(`scrape: ${o.apps} apps, ${info.series.toLocaleString('en')} series, ${(info.bytes.prometheus / 1e6).toFixed(1)} MB text / ${(info.bytes.openmetrics / 1e6).toFixed(1)} MB OpenMetrics`);
    const idle = await measure(child, info.url, o, 0);
    const busy = await measure(child, info.url, o, o.churn);
    for (const [name, m] of [['idle', idle], ['busy', busy]] as const) {
      log(`scrape: ${name}: render p99 ${FORMATS.map((f) => `${f} ${m.inProcess[f].p99Ms.toFixed(1)} ms`).join(', ')}; HTTP p99 ${FORMATS.map((f) => `${f} ${m.http[f].p99Ms.toFixed(1)} ms`).join(', ')}`);
    }
    const mem = await child.call<MemoryStats & { atPeak: MemorySample }>('memory');
    // Where the memory is at the end: V8 heap (live and committed) and Buffers (the last scrape of each format).
    log(`scrape: peak RSS ${mem.peakRssMb} MB; at the end RSS ${mem.rssMb} MB, V8 heap ${mem.heapUsedMb} MB used of ${mem.heapTotalMb} MB, external (buffers) ${mem.externalMb} MB`);
    const p = mem.atPeak;
    log(`scrape: highest RSS sampled between scrapes ${p.rssMb} MB: V8 heap ${p.heapUsedMb} MB used of ${p.heapTotalMb} MB (${Object.entries(p.heapSpaces ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')}), external ${p.externalMb} MB`);
    await child.call('stop');
    return { apps: o.apps, scrapes: o.scrapes, churn: o.churn, series: info.series, bytes: info.bytes, idle, busy, peakRssMb: mem.peakRssMb };
  } finally {
    await child.close();
  }
}
