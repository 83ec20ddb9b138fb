/** A span pipeline wired to a real OTLP receiver on loopback, with manual timers and counting metrics. */
import { afterEach } from 'vitest';
import { createSpanPipeline, type RunTracerDeps, type TracingConfig } from '../../src/tracing/create.js';
import { CountingDeliveryMetrics } from '../../src/tracing/delivery-metrics.js';
import type { SpanPipeline } from '../../src/tracing/pipeline.js';
import { OtlpReceiver } from '../helpers/otlp-receiver.js';
import { memoryLogger, type LogLine } from './logs.js';
import { ManualTimers } from '../manual-timers.js';

export const FLUSH_MS = 2_000;

export interface Harness {
  receiver: OtlpReceiver;
  timers: ManualTimers;
  metrics: CountingDeliveryMetrics;
  lines: LogLine[];
  config: TracingConfig & { endpoint: string };
  /** A pipeline on the harness's receiver, timers and metrics (a "restart" makes a second one). */
  pipeline(overrides?: Partial<Omit<TracingConfig, 'endpoint'>>): SpanPipeline;
  /** Moves the manual time forward and waits for the exports it started. */
  tick(ms: number, pipeline: SpanPipeline): Promise<void>;
}

const open: OtlpReceiver[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

export async function harness(overrides: Partial<Omit<TracingConfig, 'endpoint'>> = {}, deps: Partial<RunTracerDeps> = {}): Promise<Harness> {
  const receiver = await OtlpReceiver.start();
  open.push(receiver);
  const timers = new ManualTimers();
  const metrics = new CountingDeliveryMetrics();
  const { logger, lines } = memoryLogger();
  const config = {
    endpoint: receiver.url,
    headers: {},
    protocol: 'http/protobuf' as const,
    compression: 'none' as const,
    serviceName: 'dify',
    includeEndUser: false,
    maxOutboxSpans: 1_000,
    maxBatchSize: 100,
    ...overrides,
  };
  return {
    receiver,
    timers,
    metrics,
    lines,
    config,
    pipeline: (more = {}) =>
      createSpanPipeline(
        { ...config, ...more },
        // A short exporter timeout: the OTLP exporter's own retries (real timers) never start.
        { logger, metrics, timers, clock: timers.clock, env: {}, exportTimeoutMillis: 300, flushIntervalMillis: FLUSH_MS, ...deps },
      ),
    async tick(ms, pipeline) {
      timers.advance(ms);
      await pipeline.idle();
    },
  };
}

export function traceIds(spans: { traceId: string }[]): string[] {
  return spans.map((s) => s.traceId).sort();
}
