/** Turns the results into the tables `npm run bench` prints. */
import { table } from './table.js';
import type { Check, Results } from './targets.js';

const n = (x: number, digits = 0): string => x.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function report(r: Results, checks: Check[]): string {
  const out: string[] = [];
  if (r.catchUp) {
    const c = r.catchUp;
    out.push(`Catch-up: ${n(c.backlog)} finished runs across ${c.apps} apps (runs/s: best of ${c.exporter.passes.length} passes each)`);
    out.push(
      table(
        ['', 'runs/s', 'CPU s per 100k runs', 'peak RSS MB', 'passes (runs/s)'],
        [
          ['floor: fetch + parse only', n(c.floor.runsPerSecond), n(c.floor.cpuSecondsPer100k, 2), n(c.floor.peakRssMb, 1), c.floor.passes.map((p) => n(p)).join(', ')],
          ['exporter: metrics + spans + state', n(c.exporter.runsPerSecond), n(c.exporter.cpuSecondsPer100k, 2), n(c.exporter.peakRssMb, 1), c.exporter.passes.map((p) => n(p)).join(', ')],
          ...(c.withoutSpans
            ? [['exporter without spans (tracing off)', n(c.withoutSpans.runsPerSecond), n(c.withoutSpans.cpuSecondsPer100k, 2), '', 'one pass']]
            : []),
        ],
      ),
    );
    const bare = c.withoutSpans ? `; without spans ${(c.withoutSpans.ratio * 100).toFixed(0)}% (one pass pair)` : '';
    out.push(`exporter / floor: ${(c.ratio * 100).toFixed(0)}% (median of the pass pairs: ${c.pairRatios.map((r) => `${(r * 100).toFixed(0)}%`).join(', ')})${bare}; spans accepted by the sink: ${n(c.exporter.sinkSpans)}, dropped: ${n(c.exporter.spansDropped)}`);
    const l = c.withLatency;
    if (l) out.push(`with Dify ${l.latencyMs} ms away (one pass each): floor ${n(l.floor)} runs/s, exporter ${n(l.exporter)} runs/s (${((l.exporter / l.floor) * 100).toFixed(0)}%), without spans ${n(l.withoutSpans)} runs/s`);
    out.push('');
  }
  if (r.scrape) {
    const s = r.scrape;
    out.push(`/metrics: ${s.apps} apps, ${n(s.series)} series, ${s.scrapes} scrapes each; busy = ${s.churn} runs recorded before each scrape`);
    const rows: string[][] = [];
    for (const [load, m] of [['idle', s.idle], ['busy', s.busy]] as const) {
      for (const f of ['prometheus', 'openmetrics'] as const) {
        rows.push([`${f}, ${load}`, n(s.bytes[f] / 1e6, 1), n(m.inProcess[f].medianMs, 1), n(m.inProcess[f].p99Ms, 1), n(m.http[f].medianMs, 1), n(m.http[f].p99Ms, 1)]);
      }
    }
    out.push(table(['format, load', 'body MB', 'render median ms', 'render p99 ms', 'HTTP median ms', 'HTTP p99 ms'], rows));
    out.push(`peak RSS ${n(s.peakRssMb, 1)} MB\n`);
  }
  if (r.steadyState) {
    const s = r.steadyState;
    out.push(`Steady state: ${s.apps} apps, ${s.pollIntervalSeconds} s poll interval (averages per poll per app)`);
    out.push(
      table(
        ['arrivals (all apps)', 'requests', 'scan pages', 'look-ups', 'new rows', 'floor requests', 'pending runs'],
        [
          ['idle', n(s.idle.requests, 2), n(s.idle.scanPages, 2), n(s.idle.lookups, 2), n(s.idle.newRows, 1), n(s.idle.floorRequests, 2), n(s.idle.pendingAvg, 1)],
          ...s.arriving.map((w) => [`${w.runsPerSecond} runs/s`, n(w.requests, 2), n(w.scanPages, 2), n(w.lookups, 2), n(w.newRows, 1), n(w.floorRequests, 2), n(w.pendingAvg, 1)]),
        ],
      ),
    );
    const p = s.pendingState;
    out.push(
      `${n(p.pending)} pending runs on one app: state file ${n(p.stateBytes / 1e6, 1)} MB, one save ${n(p.saveMs)} ms; next poll ${n(p.nextPollMs)} ms with ${p.nextPollRequests} requests (save included); peak RSS ${n(p.memory.peakRssMb, 1)} MB\n`,
    );
  }
  if (r.memory) {
    const m = r.memory;
    out.push(`Memory: runs passing through ${m.apps} apps (RSS and heap after a full GC)`);
    out.push(table(['runs', 'RSS MB', 'heap used MB', 'runs/s'], m.checkpoints.map((c) => [n(c.runs), n(c.rssMb, 1), n(c.heapUsedMb, 1), n(c.runsPerSecond)])));
    out.push(`growth first -> last: ${n(m.growthMb, 1)} MB RSS; peak RSS ${n(m.peakRssMb, 1)} MB; spans dropped ${n(m.spansDropped)}\n`);
  }
  out.push('Targets');
  out.push(table(['target', 'measured', 'result'], checks.map((c) => [c.target, c.measured, c.pass ? 'PASS' : 'FAIL'])));
  return out.join('\n');
}
