/**
 * Scenario 5: memory stays flat while runs pass through. Each stage is one more hour of runs
 * (simulator and exporter on a shared manual clock); after each is ingested (counters, histograms, spans to the sink, state file) the
 * exporter's RSS is read after a full GC. Growth from the first to the last checkpoint must come
 * only from bounded windows (de-duplication ids, pending runs, span outbox), not from each run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild } from '../lib/ipc.js';
import type { MemoryStats } from '../lib/proc-stats.js';

export interface MemoryOptions {
  apps: number;
  /** Runs per stage (over all apps). */
  perStage: number;
  stages: number;
}

export interface MemoryCheckpoint {
  runs: number;
  /** After a full GC. */
  rssMb: number;
  heapUsedMb: number;
  runsPerSecond: number;
}

export interface MemoryResult {
  apps: number;
  checkpoints: MemoryCheckpoint[];
  /** RSS growth from the first checkpoint to the last, MB. */
  growthMb: number;
  peakRssMb: number;
  spansExported: number;
  spansDropped: number;
}

const HOUR_MS = 3_600_000;

export async function runMemory(o: MemoryOptions, log: (line: string) => void): Promise<MemoryResult> {
  const sim = await startChild('simulator');
  const sink = await startChild('span-sink');
  const exporter = await startChild('exporter', ['--expose-gc']);
  const dir = mkdtempSync(join(tmpdir(), 'dify-exporter-memory-'));
  try {
    // Simulator and exporter share a manual clock: each stage is the next hour, its runs arrive
    // during that hour (as Dify stamps rows: when they are written), and the exporter then polls.
    const t0 = Date.UTC(2026, 0, 5, 0);
    await sim.call('init', { clockMs: t0 });
    const perApp = Math.ceil(o.perStage / o.apps);
    const keys = await sim.call<string[]>('addApps', { apps: o.apps });
    const simUrl = await sim.call<string>('listen');
    const sinkUrl = await sink.call<string>('listen');
    await exporter.call('start', { simUrl, keys, sinkUrl, lookbackSeconds: 2 * 3600, statePath: join(dir, 'state.json'), clockMs: t0 });
    const checkpoints: MemoryCheckpoint[] = [];
    let spans = { exported: 0, dropped: 0 };
    for (let stage = 1; stage <= o.stages; stage++) {
      const fromMs = t0 + (stage - 1) * HOUR_MS;
      const { nowMs } = await sim.call<{ nowMs: number }>('step', { ms: HOUR_MS });
      await sim.call('addBacklog', { apps: o.apps, perApp, fromMs, toMs: nowMs - 1_000, seed: 50 + stage });
      await exporter.call('setClock', { ms: nowMs });
      const r = await exporter.call<{ runs: number; wallMs: number; spans: { exported: number; dropped: number } }>('ingest', {
        untilCounted: stage * perApp * o.apps,
        maxPolls: 100,
      });
      if (r.runs !== perApp * o.apps) throw new Error(`memory: stage ${stage} counted ${r.runs} runs, expected ${perApp * o.apps}`);
      spans = r.spans;
      const m = await exporter.call<MemoryStats>('memory', { gc: true });
      checkpoints.push({ runs: stage * perApp * o.apps, rssMb: m.rssMb, heapUsedMb: m.heapUsedMb, runsPerSecond: Math.round(r.runs / (r.wallMs / 1000)) });
      log(`memory: ${(stage * perApp * o.apps).toLocaleString('en')} runs: RSS ${m.rssMb} MB after GC (heap ${m.heapUsedMb} MB used of ${m.heapTotalMb} MB, external ${m.externalMb} MB), peak ${m.peakRssMb} MB`);
    }
    const last = await exporter.call<MemoryStats>('memory', { gc: false });
    await exporter.call('stop');
    const first = checkpoints[0] as MemoryCheckpoint;
    const final = checkpoints[checkpoints.length - 1] as MemoryCheckpoint;
    return {
      apps: o.apps,
      checkpoints,
      growthMb: Math.round((final.rssMb - first.rssMb) * 10) / 10,
      peakRssMb: last.peakRssMb,
      spansExported: spans.exported,
      spansDropped: spans.dropped,
    };
  } finally {
    await Promise.allSettled([exporter.close(), sim.close(), sink.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}
