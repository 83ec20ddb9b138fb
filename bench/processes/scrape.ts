/**
 * Benchmark child: an exporter with many apps and every label combination of the run counter in
 * use (status x triggered_from x created_from), serving /metrics. Nothing is polled; runs are
 * recorded through the real RunRecorder. Between scrapes `churn` records a few hundred runs, as a
 * busy exporter does in one scrape interval, so cached series text is invalidated as in real life.
 */
import { limitHeapGrowth } from '../../src/heap.js';
import { deferOptimization } from '../../src/optimization-budget.js';
import { createLogger } from '../../src/log.js';
import { createExporter, type Exporter } from '../../src/main.js';
import { RunRecorder } from '../../src/metrics/run-recorder.js';
import type { ExpositionFormat } from '../../src/metrics/exposition/format.js';
import { CREATED_FROM_VALUES, RUN_STATUSES, TRIGGERED_FROM_VALUES, type FinishedRun } from '../../src/model/run.js';
import { traceWordsForRun } from '../../src/tracing/ids.js';
import { Prng } from '../../src/simulator/prng.js';
import { serve } from '../lib/ipc.js';
import { benchConfig } from '../lib/exporter-config.js';
import { collectGarbage, memoryStats, sampleMemory } from '../lib/proc-stats.js';

const TRIGGERED = [...TRIGGERED_FROM_VALUES, 'other', 'unknown'];
const CREATED = [...CREATED_FROM_VALUES, 'other', 'unknown'];

// As the CLI does before it creates the exporter.
limitHeapGrowth();
deferOptimization();

let exporter: Exporter | null = null;
let recorder: RunRecorder | null = null;
let apps: string[] = [];
const rng = new Prng(42);
let runNo = 0;
/** Where the memory is when RSS is highest (sampled between scrapes). */
const sampler = sampleMemory();

function run(status: FinishedRun['status'], triggeredFrom: string, createdFrom: string): FinishedRun {
  runNo++;
  const hex = runNo.toString(16).padStart(12, '0');
  return {
    logId: `log-${runNo}`,
    runId: `8f5d3c2a-1b4e-4f6a-9c7d-${hex}`,
    status,
    rawStatus: status === 'unknown' ? 'scheduled' : status,
    createdAt: 1_764_000_000 + runNo,
    runCreatedAt: 1_764_000_000 + runNo,
    finishedAt: 1_764_000_004 + runNo,
    elapsedSeconds: Math.round(Math.exp(rng.normal() * 1.2 + 1.5) * 1000) / 1000,
    totalTokens: rng.int(50, 200_000),
    totalSteps: rng.int(1, 60),
    exceptionsCount: status === 'partial-succeeded' ? 1 : 0,
    triggeredFrom,
    createdFrom,
    createdByRole: 'end_user',
    workflowVersion: '2025-01-16 12:00:00.000000',
    error: status === 'failed' ? 'simulated failure' : null,
    endUserId: null,
    sessionId: null,
  };
}

function lineCount(body: Buffer): number {
  let n = 1;
  for (let i = body.indexOf(10); i >= 0; i = body.indexOf(10, i + 1)) n++;
  return n;
}

function pick<T>(xs: readonly T[]): T {
  return xs[rng.int(0, xs.length - 1)] as T;
}

serve({
  async start(a: { apps: number }) {
    const keys = Array.from({ length: a.apps }, (_, i) => `app-bench-key-${String(i).padStart(4, '0')}`);
    exporter = await createExporter(benchConfig({ simUrl: 'http://127.0.0.1:9/v1', keys, sinkUrl: null, lookbackSeconds: 0, statePath: null, named: true }), {
      autoPoll: false,
      logger: createLogger({ level: 'warn', destination: process.stderr }),
    });
    await exporter.start();
    recorder = new RunRecorder(exporter.metrics, { exemplars: true, traceWordsForRun });
    apps = exporter.targets().map((t) => t.app);
    for (const app of apps) {
      for (const status of RUN_STATUSES) for (const t of TRIGGERED) for (const c of CREATED) recorder.record(app, run(status, t, c));
      recorder.setInProgress(app, { running: rng.int(0, 20), paused: rng.int(0, 3) });
      recorder.pollSucceeded(app, 1_764_000_000, 0.12);
      recorder.targetInfo(app, 'workflow', '1.13.0', false);
      for (const code of ['200', '429', '502', 'error']) recorder.apiRequest(app, 'workflow_logs', code);
      recorder.apiRequest(app, 'info', '200');
      recorder.apiRequest(app, 'root', '200');
    }
    // The bytes /metrics sends, measured without making strings of them: 25 MB of text and
    // 100,000-line arrays here would count in the peak RSS of this process, which /metrics never holds.
    const text = await exporter.registry.renderBytes('prometheus');
    const om = await exporter.registry.renderBytes('openmetrics');
    const result = {
      url: exporter.metricsUrl,
      series: exporter.registry.names().reduce((n, name) => n + (exporter!.registry.get(name)?.seriesCount() ?? 0), 0),
      lines: { prometheus: lineCount(text), openmetrics: lineCount(om) },
      bytes: { prometheus: text.length, openmetrics: om.length },
    };
    exporter.registry.recycle(text);
    exporter.registry.recycle(om);
    return result;
  },
  /** Records `runs` runs on random apps and label combinations. */
  churn(a: { runs: number }) {
    for (let i = 0; i < a.runs; i++) recorder!.record(pick(apps), run(pick(RUN_STATUSES), pick(TRIGGERED), pick(CREATED)));
  },
  /** In-process: churn, then time one render (the bytes /metrics sends); repeated. */
  async renderTimes(a: { format: ExpositionFormat; scrapes: number; churn: number }) {
    const times: number[] = [];
    for (let i = 0; i < a.scrapes; i++) {
      for (let j = 0; j < a.churn; j++) recorder!.record(pick(apps), run(pick(RUN_STATUSES), pick(TRIGGERED), pick(CREATED)));
      const t0 = performance.now();
      const body = await exporter!.registry.renderBytes(a.format);
      times.push(performance.now() - t0);
      exporter!.registry.recycle(body); // as the HTTP server does once the body is sent
    }
    return times;
  },
  memory: () => {
    const atPeak = sampler.stop();
    collectGarbage();
    return { ...memoryStats(), atPeak };
  },
  async stop() {
    await exporter?.stop();
  },
});
