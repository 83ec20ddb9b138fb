/**
 * Benchmark child: the real exporter (createExporter, autoPoll off) against the simulator child,
 * spans to the sink child. Reports its own wall time, CPU and peak RSS.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock.js';
import type { Counter } from '../../src/metrics/exposition/counter.js';
import { createExporter, type Exporter } from '../../src/main.js';
import { limitHeapGrowth } from '../../src/heap.js';
import { deferOptimization } from '../../src/optimization-budget.js';
import { createLogger } from '../../src/log.js';
import { serve } from '../lib/ipc.js';
import { benchConfig, type BenchTargets } from '../lib/exporter-config.js';
import { collectGarbage, cpuSecondsSince, memoryStats, sampleMemory, threadCpu, threadCpuSince } from '../lib/proc-stats.js';

// As the CLI does before it creates the exporter.
limitHeapGrowth();
deferOptimization();

let exporter: Exporter | null = null;
let clock: ManualClock | null = null;

/**
 * With BENCH_ALLOC_PROFILE=<dir>, the ingest's allocations (objects collected since included) are
 * sampled every 4 KB and written to <dir>/alloc-<pid>.heapprofile (open it in Chrome DevTools).
 * Sampling slows the ingest; its numbers are not comparable.
 */
async function startAllocationProfile(): Promise<{ stop(): Promise<void> }> {
  const dir = process.env.BENCH_ALLOC_PROFILE;
  if (!dir) return { stop: async () => {} };
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return {
    async stop() {
      const { profile } = await session.post('HeapProfiler.stopSampling');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `alloc-${process.pid}.heapprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}

function must(): Exporter {
  if (!exporter) throw new Error('exporter not started');
  return exporter;
}

function counted(): number {
  return must().targets().reduce((n, t) => n + t.counted, 0);
}

function spanCounts(): { exported: number; dropped: number } {
  const r = must().registry;
  const exported = (r.get('dify_exporter_spans_exported_total') as Counter | undefined)?.value([]) ?? 0;
  const dropped = r.get('dify_exporter_spans_dropped_total') as Counter | undefined;
  return { exported, dropped: (dropped?.value(['outbox_full']) ?? 0) + (dropped?.value(['rejected']) ?? 0) };
}

export interface IngestArgs {
  /** Stop once this many runs have been counted in total (since start). */
  untilCounted: number;
  maxPolls: number;
}

serve({
  /** With `clockMs`, the exporter runs on a ManualClock moved by setClock (mirroring the simulator's). */
  async start(t: BenchTargets & { clockMs?: number }) {
    clock = t.clockMs === undefined ? null : new ManualClock(t.clockMs);
    exporter = await createExporter(benchConfig(t), {
      autoPoll: false,
      ...(clock ? { clock } : {}),
      logger: createLogger({ level: 'warn', destination: process.stderr }),
    });
    await exporter.start();
    return exporter.url;
  },
  /** Polls every target until the count is reached, then flushes the spans. Timed here. */
  async ingest(a: IngestArgs) {
    const e = must();
    const before = counted();
    const sampler = sampleMemory();
    const allocations = await startAllocationProfile();
    const cpu = process.cpuUsage();
    const threads = threadCpu();
    const loop = performance.eventLoopUtilization();
    const t0 = performance.now();
    let polls = 0;
    let idle = 0;
    // A backlog may take several polls (the poller reads it in windows); stop when done or stuck.
    while (counted() < a.untilCounted && polls < a.maxPolls && idle < 3) {
      const was = counted();
      await e.pollAllOnce();
      polls++;
      idle = counted() === was ? idle + 1 : 0;
    }
    const ingestedMs = performance.now() - t0;
    await e.tracer.forceFlush();
    const wallMs = performance.now() - t0;
    await allocations.stop();
    return {
      runs: counted() - before,
      polls,
      ingestedMs,
      wallMs,
      cpuSeconds: cpuSecondsSince(cpu),
      /** cpuSeconds split by thread (Linux only). */
      threadCpu: threadCpuSince(threads),
      /** Time the event loop was busy: the main thread's share of cpuSeconds (the rest is GC and I/O threads). */
      mainThreadSeconds: performance.eventLoopUtilization(loop).active / 1000,
      spans: spanCounts(),
      memory: memoryStats(),
      /** process.memoryUsage() when RSS was highest during the ingest. */
      atPeak: sampler.stop(),
      errors: e.targets().filter((t) => t.lastError !== null).map((t) => `${t.app}: ${t.lastError}`),
    };
  },
  /** Each target's status (counted runs, pending runs, last error), for diagnosing a scenario. */
  targets: () => must().targets(),
  setClock(a: { ms: number }) {
    clock!.set(a.ms);
  },
  /** One poll of every target; returns the pending runs per target afterwards and the poll's wall time. */
  async pollOnce() {
    const t0 = performance.now();
    await must().pollAllOnce();
    return { ms: performance.now() - t0, pending: must().targets().map((t) => t.pending), counted: counted() };
  },
  memory(a: { gc: boolean }) {
    if (a.gc) collectGarbage();
    return memoryStats();
  },
  async stop() {
    await exporter?.stop();
    exporter = null;
  },
});
