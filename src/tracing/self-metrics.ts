/**
 * The span-delivery self-metrics, registered on the exporter's registry whether tracing is on or
 * off (off, they stay at zero), so dashboards and alerts always find them.
 */
import { Counter } from '../metrics/exposition/counter.js';
import { Gauge } from '../metrics/exposition/gauge.js';
import type { MetricRegistry } from '../metrics/exposition/registry.js';
import { deliveryMetricsOn, SPAN_DROP_REASONS, type SpanDeliveryMetrics } from './delivery-metrics.js';

export function registerSpanDeliveryMetrics(registry: MetricRegistry): SpanDeliveryMetrics {
  const families = {
    spansExported: registry.register(
      new Counter({ name: 'dify_exporter_spans_exported_total', help: 'Run spans the OTLP collector accepted.' }),
    ),
    spansDropped: registry.register(
      new Counter({
        name: 'dify_exporter_spans_dropped_total',
        help: 'Run spans given up: outbox_full (bound reached while the collector did not accept spans) or rejected (collector refused the batch for good).',
        labelNames: ['reason'],
      }),
    ),
    spanQueueSize: registry.register(
      new Gauge({ name: 'dify_exporter_span_queue_size', help: 'Run spans not yet accepted by the collector (waiting or in flight).' }),
    ),
  };
  families.spansExported.zero([]);
  for (const reason of SPAN_DROP_REASONS) families.spansDropped.zero([reason]);
  families.spanQueueSize.zero([]);
  return deliveryMetricsOn(families);
}
