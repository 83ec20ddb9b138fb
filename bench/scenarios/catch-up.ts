/**
 * Scenario 1+2: catch-up on a backlog of finished runs, the exporter (counters, histograms,
 * spans to a local OTLP sink, state file) against the floor (same client, fetch + parse only).
 * Simulator, sink, exporter and floor each run in their own process. Floor and exporter passes
 * alternate after one warm-up pass of the simulator; the best pass of each is reported, and the
 * ratio is the median of the pairs of passes run one after the other.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, type BenchChild } from '../lib/ipc.js';
import type { MemorySample, MemoryStats, ThreadCpu } from '../lib/proc-stats.js';
import { median } from '../lib/stats.js';

export interface CatchUpOptions {
  apps: number;
  perApp: number;
  passes: number;
}

interface PassResult {
  runs: number;
  wallMs: number;
  cpuSeconds: number;
  /** cpuSeconds split by thread (Linux only). */
  threadCpu: ThreadCpu | null;
  memory: MemoryStats;
}
interface ExporterPass extends PassResult {
  mainThreadSeconds: number;
  atPeak: MemorySample;
  ingestedMs: number;
  polls: number;
  spans: { exported: number; dropped: number };
  errors: string[];
}

export interface CatchUpResult {
  backlog: number;
  apps: number;
  floor: { runsPerSecond: number; cpuSecondsPer100k: number; peakRssMb: number; passes: number[] };
  exporter: {
    runsPerSecond: number;
    cpuSecondsPer100k: number;
    peakRssMb: number;
    spansExported: number;
    spansDropped: number;
    sinkSpans: number;
    passes: number[];
    /** process.memoryUsage() at the highest RSS of the pass with the highest peak. */
    atPeak: MemorySample;
  };
  /**
   * Exporter / floor: the median over the pairs of passes run one after the other (each exporter
   * pass against the floor pass just before it), so a slow minute of a shared machine lowers both
   * sides of a pair rather than one side of the ratio.
   */
  ratio: number;
  /** Each pair's ratio, in pass order. */
  pairRatios: number[];
  /**
   * One more pair of passes, the exporter with tracing off: what the spans cost, measured in the
   * same run (null when every pass ran without spans, BENCH_NO_SPANS=1).
   */
  withoutSpans: { runsPerSecond: number; cpuSecondsPer100k: number; ratio: number } | null;
  /**
   * One pass each of the floor and the exporter with and without spans while the simulator answers
   * every page `latencyMs` late: whether targets still read concurrently when waiting, not CPU,
   * sets the pace (null with BENCH_NO_SPANS=1 or BENCH_NO_LATENCY=1).
   */
  withLatency: { latencyMs: number; floor: number; exporter: number; withoutSpans: number } | null;
  simulatorCpuSeconds: number;
}

/** The simulator's answer delay in the latency passes: a Dify in the same region, not on loopback. */
const LATENCY_MS = 40;

const DAY_MS = 86_400_000;

async function withChild<T>(name: string, fn: (c: BenchChild) => Promise<T>): Promise<T> {
  const child = await startChild(name);
  try {
    return await fn(child);
  } finally {
    await child.close();
  }
}

const perSecond = (p: PassResult): number => p.runs / (p.wallMs / 1000);

/** A pass's CPU by thread: the main thread, and V8's (GC, optimizing compiler) and libuv's threads. */
const threadSplit = (t: ThreadCpu): string => `main thread ${t.main.toFixed(2)} s, other threads ${t.others.toFixed(2)} s`;

/** Where an exporter pass's CPU went: the event loop's busy time and the split by thread. */
function cpuSplit(e: ExporterPass): string {
  const busy = `event loop busy ${e.mainThreadSeconds.toFixed(2)} s`;
  return e.threadCpu === null ? busy : `${busy}; ${threadSplit(e.threadCpu)}`;
}

export async function runCatchUp(o: CatchUpOptions, log: (line: string) => void): Promise<CatchUpResult> {
  const sim = await startChild('simulator');
  const sink = await startChild('span-sink');
  const dir = mkdtempSync(join(tmpdir(), 'dify-exporter-bench-'));
  try {
    await sim.call('init', { clockMs: null });
    const now = Date.now();
    const { keys } = await sim.call<{ keys: string[] }>('addBacklog', { apps: o.apps, perApp: o.perApp, fromMs: now - DAY_MS, toMs: now - 60_000, seed: 1 });
    const simUrl = await sim.call<string>('listen');
    const sinkUrl = await sink.call<string>('listen');
    const targets = { simUrl, keys, lookbackSeconds: 2 * 86_400 };
    const backlog = o.apps * o.perApp;

    const floorPass = () => withChild('floor', (c) => c.call<PassResult>('run', { ...targets, sinkUrl: null, statePath: null }));
    const allWithoutSpans = Boolean(process.env.BENCH_NO_SPANS);
    const exporterPass = (i: number, spans = !allWithoutSpans) =>
      withChild('exporter', async (c) => {
        await c.call('start', { ...targets, sinkUrl: spans ? sinkUrl : null, statePath: join(dir, `state-${i}.json`) });
        const r = await c.call<ExporterPass>('ingest', { untilCounted: backlog, maxPolls: 100 });
        await c.call('stop');
        return r;
      });

    const othersCpu = async () => ({
      simulator: (await sim.call<{ cpuSeconds: number }>('stats')).cpuSeconds,
      requests: (await sim.call<{ requests: number }>('stats')).requests,
      sink: (await sink.call<{ cpuSeconds: number }>('stats')).cpuSeconds,
    });
    log(`catch-up: warm-up pass over ${backlog.toLocaleString('en')} runs`);
    await floorPass();
    const floors: PassResult[] = [];
    const exporters: ExporterPass[] = [];
    for (let i = 0; i < o.passes; i++) {
      const f = await floorPass();
      if (f.runs !== backlog) throw new Error(`floor fetched ${f.runs} rows, expected ${backlog}`);
      floors.push(f);
      log(`catch-up: floor pass ${i + 1}: ${Math.round(perSecond(f)).toLocaleString('en')} runs/s, CPU ${f.cpuSeconds.toFixed(2)} s${f.threadCpu === null ? '' : ` (${threadSplit(f.threadCpu)})`}`);
      await sink.call('reset');
      const cpuBefore = await othersCpu();
      const e = await exporterPass(i);
      const cpuAfter = await othersCpu();
      if (e.runs !== backlog) throw new Error(`exporter counted ${e.runs} runs, expected ${backlog} (${e.errors.join('; ')})`);
      exporters.push(e);
      log(`catch-up: exporter pass ${i + 1}: ${Math.round(perSecond(e)).toLocaleString('en')} runs/s (all counted after ${(e.ingestedMs / 1000).toFixed(2)} s, spans flushed after ${(e.wallMs / 1000).toFixed(2)} s), CPU ${e.cpuSeconds.toFixed(2)} s (${cpuSplit(e)}), ${e.polls} polls, ${e.spans.exported} spans, ${e.spans.dropped} dropped; peak RSS ${e.memory.peakRssMb} MB (heap ${e.atPeak.heapUsedMb} MB used of ${e.atPeak.heapTotalMb} MB); meanwhile simulator CPU ${(cpuAfter.simulator - cpuBefore.simulator).toFixed(2)} s for ${cpuAfter.requests - cpuBefore.requests} requests, span sink CPU ${(cpuAfter.sink - cpuBefore.sink).toFixed(2)} s`);
    }
    let withoutSpans: CatchUpResult['withoutSpans'] = null;
    if (!allWithoutSpans) {
      const f = await floorPass();
      const e = await exporterPass(o.passes, false);
      if (e.runs !== backlog) throw new Error(`exporter without spans counted ${e.runs} runs, expected ${backlog}`);
      withoutSpans = { runsPerSecond: Math.round(perSecond(e)), cpuSecondsPer100k: (e.cpuSeconds / e.runs) * 100_000, ratio: perSecond(e) / perSecond(f) };
      log(`catch-up: floor ${Math.round(perSecond(f)).toLocaleString('en')} runs/s, then exporter without spans ${Math.round(perSecond(e)).toLocaleString('en')} runs/s, CPU ${e.cpuSeconds.toFixed(2)} s (${cpuSplit(e)})`);
    }
    // Spans of the last exporter pass with spans (the sink is reset before each).
    const sinkStats = await sink.call<{ spans: number }>('stats');
    let withLatency: CatchUpResult['withLatency'] = null;
    if (!allWithoutSpans && !process.env.BENCH_NO_LATENCY) {
      await sim.call('setLatency', { ms: LATENCY_MS });
      const f = await floorPass();
      await sink.call('reset');
      const e = await exporterPass(o.passes + 1);
      const bare = await exporterPass(o.passes + 2, false);
      await sim.call('setLatency', { ms: 0 });
      if (e.runs !== backlog || bare.runs !== backlog) throw new Error(`exporter with latency counted ${e.runs} / ${bare.runs} runs, expected ${backlog}`);
      withLatency = { latencyMs: LATENCY_MS, floor: Math.round(perSecond(f)), exporter: Math.round(perSecond(e)), withoutSpans: Math.round(perSecond(bare)) };
      log(`catch-up, Dify ${LATENCY_MS} ms away: floor ${withLatency.floor.toLocaleString('en')} runs/s, exporter ${withLatency.exporter.toLocaleString('en')} runs/s (${e.polls} polls), without spans ${withLatency.withoutSpans.toLocaleString('en')} runs/s`);
    }
    const pairRatios = exporters.map((e, i) => perSecond(e) / perSecond(floors[i]!));
    const bestFloor = floors.reduce((a, b) => (perSecond(b) > perSecond(a) ? b : a));
    const bestExporter = exporters.reduce((a, b) => (perSecond(b) > perSecond(a) ? b : a));
    const simStats = await sim.call<{ cpuSeconds: number }>('stats');
    return {
      backlog,
      apps: o.apps,
      floor: {
        runsPerSecond: Math.round(perSecond(bestFloor)),
        cpuSecondsPer100k: (bestFloor.cpuSeconds / bestFloor.runs) * 100_000,
        peakRssMb: Math.max(...floors.map((f) => f.memory.peakRssMb)),
        passes: floors.map((f) => Math.round(perSecond(f))),
      },
      exporter: {
        runsPerSecond: Math.round(perSecond(bestExporter)),
        cpuSecondsPer100k: (bestExporter.cpuSeconds / bestExporter.runs) * 100_000,
        peakRssMb: Math.max(...exporters.map((e) => e.memory.peakRssMb)),
        spansExported: bestExporter.spans.exported,
        spansDropped: Math.max(...exporters.map((e) => e.spans.dropped)),
        sinkSpans: sinkStats.spans,
        passes: exporters.map((e) => Math.round(perSecond(e))),
        atPeak: exporters.reduce((a, b) => (b.atPeak.rssMb > a.atPeak.rssMb ? b : a)).atPeak,
      },
      ratio: median(pairRatios),
      pairRatios,
      withoutSpans,
      withLatency,
      simulatorCpuSeconds: simStats.cpuSeconds,
    };
  } finally {
    await Promise.allSettled([sim.close(), sink.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}
