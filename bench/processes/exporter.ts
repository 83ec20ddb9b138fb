/**
 * Benchmark child: the real exporter (createExporter, autoPoll off) against the simulator child,
 * spans to the sink child. Reports its own wall time, CPU and peak RSS.
 */
import type { Counter } from '../../src/metrics/exposition/counter.js';
import { createExporter, type Exporter } from '../../src/main.js';
import { createLogger } from '../../src/log.js';
import { serve } from '../lib/ipc.js';
import { benchConfig, type BenchTargets } from '../lib/exporter-config.js';
import { collectGarbage, cpuSecondsSince, memoryStats } from '../lib/proc-stats.js';

let exporter: Exporter | null = null;

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
  async start(t: BenchTargets) {
    exporter = await createExporter(benchConfig(t), {
      autoPoll: false,
      logger: createLogger({ level: 'warn', destination: process.stderr }),
    });
    await exporter.start();
    return exporter.url;
  },
  /** Polls every target until the count is reached, then flushes the spans. Timed here. */
  async ingest(a: IngestArgs) {
    const e = must();
    const before = counted();
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    let polls = 0;
    while (counted() < a.untilCounted && polls < a.maxPolls) {
      await e.pollAllOnce();
      polls++;
    }
    const ingestedMs = performance.now() - t0;
    await e.tracer.forceFlush();
    const wallMs = performance.now() - t0;
    return {
      runs: counted() - before,
      polls,
      ingestedMs,
      wallMs,
      cpuSeconds: cpuSecondsSince(cpu),
      spans: spanCounts(),
      memory: memoryStats(),
      errors: e.targets().filter((t) => t.lastError !== null).map((t) => `${t.app}: ${t.lastError}`),
    };
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
