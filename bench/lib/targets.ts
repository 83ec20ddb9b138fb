/** The targets, checked against the results: each one PASS or FAIL. */
import type { CatchUpResult } from '../scenarios/catch-up.js';
import type { MemoryResult } from '../scenarios/memory.js';
import type { ScrapeResult } from '../scenarios/scrape.js';
import type { SteadyResult } from '../scenarios/steady-state.js';

export interface Results {
  catchUp?: CatchUpResult;
  scrape?: ScrapeResult;
  steadyState?: SteadyResult;
  memory?: MemoryResult;
}

export interface Check {
  target: string;
  measured: string;
  pass: boolean;
}

export const PEAK_RSS_LIMIT_MB = 150;

export function checkTargets(r: Results): Check[] {
  const checks: Check[] = [];
  if (r.catchUp) {
    const c = r.catchUp;
    checks.push({ target: 'catch-up >= 50% of the floor', measured: `${(c.ratio * 100).toFixed(0)}%`, pass: c.ratio >= 0.5 });
    checks.push({ target: 'catch-up >= 20,000 runs/s', measured: `${c.exporter.runsPerSecond.toLocaleString('en')} runs/s`, pass: c.exporter.runsPerSecond >= 20_000 });
    checks.push({
      target: "every run's span reached the collector",
      measured: `${c.exporter.sinkSpans.toLocaleString('en')} of ${c.backlog.toLocaleString('en')}, ${c.exporter.spansDropped} dropped`,
      pass: c.exporter.spansDropped === 0 && c.exporter.sinkSpans === c.backlog,
    });
  }
  if (r.scrape) {
    const s = r.scrape;
    for (const [load, m] of [['idle', s.idle], ['busy', s.busy]] as const) {
      const p99 = Math.max(m.inProcess.prometheus.p99Ms, m.inProcess.openmetrics.p99Ms);
      checks.push({ target: `/metrics render p99 < 25 ms at ${s.apps} apps (${load})`, measured: `${p99.toFixed(1)} ms`, pass: p99 < 25 });
    }
  }
  if (r.steadyState) {
    const idle = r.steadyState.idle.requests;
    checks.push({ target: 'idle: 1 request per poll per app', measured: idle.toFixed(2), pass: idle <= 1.0001 });
  }
  const peaks: Array<[string, number | undefined]> = [
    ['catch-up', r.catchUp?.exporter.peakRssMb],
    ['scrape', r.scrape?.peakRssMb],
    ['pending state', r.steadyState?.pendingState.memory.peakRssMb],
    ['1M runs', r.memory?.peakRssMb],
  ];
  for (const [name, mb] of peaks) {
    if (mb !== undefined) checks.push({ target: `peak RSS < ${PEAK_RSS_LIMIT_MB} MB (${name})`, measured: `${mb} MB`, pass: mb < PEAK_RSS_LIMIT_MB });
  }
  return checks;
}
