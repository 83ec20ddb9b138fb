/** Tracing: one span per finished run, over OTLP/HTTP, through a bounded outbox. */
export { createRunTracer, type RunTracer } from './run-tracer.js';
export { createSpanPipeline, tracesUrl, type TracingConfig, type RunTracerDeps } from './create.js';
export type { SpanRecord, TracedTarget } from './span-record.js';
export { traceIdForRun, spanIdForTrace } from './ids.js';
export {
  SPAN_DROP_REASONS,
  CountingDeliveryMetrics,
  noDeliveryMetrics,
  deliveryMetricsOn,
  type SpanDropReason,
  type SpanDeliveryMetrics,
} from './delivery-metrics.js';
export { registerSpanDeliveryMetrics } from './self-metrics.js';
export type { Timers, CancelTimer } from '../timers.js';
export type { TracingLogger } from './pipeline.js';
export type { SpanPipeline } from './pipeline.js';
