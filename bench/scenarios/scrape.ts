/**
 * Scenario 3: /metrics cost with many apps and every run-counter label combination in use, in both
 * text formats; timed in-process (registry.render) and over HTTP from another process (request
 * sent to last byte received). A few hundred runs are recorded before each scrape.
 */
import { request } from 'node:http';
import { startChild } from '../lib/ipc.js';
import { median, percentile } from '../lib/stats.js';
import type { ExpositionFormat } from '../../src/metrics/exposition/format.js';

export interface ScrapeOptions {
  apps: number;
  scrapes: number;
  /** Runs recorded before each scrape. */
  churn: number;
}

interface Timing {
  medianMs: number;
  p99Ms: number;
}
export interface ScrapeResult {
  apps: number;
  series: number;
  bytes: Record<ExpositionFormat, number>;
  inProcess: Record<ExpositionFormat, Timing>;
  http: Record<ExpositionFormat, Timing>;
  peakRssMb: number;
}

const ACCEPT: Record<ExpositionFormat, string> = {
  prometheus: 'text/plain;version=0.0.4;q=0.9,*/*;q=0.1',
  openmetrics: 'application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
};

function scrapeOnce(url: string, accept: string): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(url, { headers: { accept }, timeout: 30_000 }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => (res.statusCode === 200 ? resolve({ ms: performance.now() - t0, bytes }) : reject(new Error(`/metrics answered ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('/metrics timed out')));
    req.on('error', reject);
    req.end();
  });
}

const timing = (xs: number[]): Timing => ({ medianMs: median(xs), p99Ms: percentile(xs, 99) });

export async function runScrape(o: ScrapeOptions, log: (line: string) => void): Promise<ScrapeResult> {
  const child = await startChild('scrape');
  try {
    const info = await child.call<{ url: string; series: number; bytes: Record<ExpositionFormat, number> }>('start', { apps: o.apps });
    log(`scrape: ${o.apps} apps, ${info.series.toLocaleString('en')} series, ${(info.bytes.prometheus / 1e6).toFixed(1)} MB text / ${(info.bytes.openmetrics / 1e6).toFixed(1)} MB OpenMetrics`);
    const inProcess = {} as Record<ExpositionFormat, Timing>;
    const http = {} as Record<ExpositionFormat, Timing>;
    for (const format of ['prometheus', 'openmetrics'] as const) {
      inProcess[format] = timing(await child.call<number[]>('renderTimes', { format, scrapes: o.scrapes, churn: o.churn }));
      const times: number[] = [];
      for (let i = 0; i < o.scrapes; i++) {
        await child.call('churn', { runs: o.churn });
        times.push((await scrapeOnce(info.url, ACCEPT[format])).ms);
      }
      http[format] = timing(times);
      log(`scrape: ${format}: in-process p99 ${inProcess[format].p99Ms.toFixed(1)} ms, HTTP p99 ${http[format].p99Ms.toFixed(1)} ms`);
    }
    const mem = await child.call<{ peakRssMb: number }>('memory');
    await child.call('stop');
    return { apps: o.apps, series: info.series, bytes: info.bytes, inProcess, http, peakRssMb: mem.peakRssMb };
  } finally {
    await child.close();
  }
}
