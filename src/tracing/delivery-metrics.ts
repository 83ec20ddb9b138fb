/**
 * The self-metrics of span delivery, as a narrow sink: the metrics module owns the series
 * (dify_exporter_spans_exported_total, dify_exporter_spans_dropped_total{reason},
 * dify_exporter_span_queue_size) and the pipeline only reports what happened.
 */

/**
 * Why spans were dropped: `outbox_full` (the bound was reached while the collector did not accept
 * spans) or `rejected` (the collector refused a batch for good, e.g. HTTP 400).
 */
export const SPAN_DROP_REASONS = ['outbox_full', 'rejected'] as const;
export type SpanDropReason = (typeof SPAN_DROP_REASONS)[number];

export interface SpanDeliveryMetrics {
  /** `count` spans were accepted by the collector. */
  exported(count: number): void;
  /** `count` spans were given up for `reason`. */
  dropped(reason: SpanDropReason, count: number): void;
  /** Spans now in the outbox (waiting or in flight). Called on every change; keep it cheap. */
  queueSize(size: number): void;
}

export const noDeliveryMetrics: SpanDeliveryMetrics = {
  exported() {},
  dropped() {},
  queueSize() {},
};

/** Counts in memory: for tests and for a caller that reads the numbers at scrape time. */
export class CountingDeliveryMetrics implements SpanDeliveryMetrics {
  exportedTotal = 0;
  readonly droppedTotal: Record<SpanDropReason, number> = { outbox_full: 0, rejected: 0 };
  queued = 0;

  exported(count: number): void {
    this.exportedTotal += count;
  }

  dropped(reason: SpanDropReason, count: number): void {
    this.droppedTotal[reason] += count;
  }

  queueSize(size: number): void {
    this.queued = size;
  }
}

interface CounterLike {
  inc(labelValues: readonly string[], by?: number): void;
}
interface GaugeLike {
  set(labelValues: readonly string[], value: number): void;
}

/**
 * The sink over the metrics module's families: `spansExported` (no labels), `spansDropped`
 * (label `reason`) and `spanQueueSize` (no labels).
 */
export function deliveryMetricsOn(f: { spansExported: CounterLike; spansDropped: CounterLike; spanQueueSize: GaugeLike }): SpanDeliveryMetrics {
  return {
    exported: (count) => f.spansExported.inc([], count),
    dropped: (reason, count) => f.spansDropped.inc([reason], count),
    queueSize: (size) => f.spanQueueSize.set([], size),
  };
}
