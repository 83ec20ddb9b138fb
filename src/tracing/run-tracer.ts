/** What the poller and the composition root see of tracing: one interface, on or off. */
import type { FinishedRun } from '../model/run.js';
import type { RunTracerDeps, TracingConfig } from './create.js';
import { noDeliveryMetrics } from './delivery-metrics.js';
import { NoopRunTracer } from './noop-tracer.js';
import { registerSpanDeliveryMetrics } from './self-metrics.js';
import type { SpanRecord, TracedTarget } from './span-record.js';

export interface RunTracer {
  /** Turns a run counted as final into its span. Synchronous and cheap; never throws on delivery trouble. */
  record(target: TracedTarget, run: FinishedRun): void;
  /**
   * Spans that may be recorded before the outbox is half full: a backlog catch-up reads no more
   * than this, so a slow collector slows the catch-up rather than losing spans.
   */
  spareCapacity(): number;
  /** Spans the collector has not accepted yet, as plain JSON for the state file. */
  snapshot(): SpanRecord[];
  /** Puts spans from the state file back in the outbox (skips malformed records and runs already held). */
  restore(records: readonly unknown[]): void;
  /** Starts sending (restored spans and new ones). Before start(), spans only accumulate. */
  start(): void;
  /** Tries once to send everything held now; resolves when those exports settle (spans that fail stay). */
  forceFlush(): Promise<void>;
  /** Flushes with a deadline, then stops sending. Idempotent. Undelivered spans stay in snapshot(). */
  shutdown(): Promise<void>;
}

/**
 * The tracer for a configuration: a no-op when tracing is off (its delivery metrics still exist,
 * at zero); else the span pipeline, whose OpenTelemetry packages are only loaded then (~2 MB of
 * heap an exporter without tracing does not need).
 */
export async function createRunTracer(config: TracingConfig, deps: RunTracerDeps): Promise<RunTracer> {
  const metrics = deps.metrics ?? (deps.registry ? registerSpanDeliveryMetrics(deps.registry) : noDeliveryMetrics);
  if (config.endpoint === null) return new NoopRunTracer(deps.logger);
  const { createSpanPipeline } = await import('./create.js');
  return createSpanPipeline({ ...config, endpoint: config.endpoint }, { ...deps, metrics });
}
