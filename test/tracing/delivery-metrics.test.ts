/** The span-delivery self-metrics as Prometheus sees them. */
import { afterEach, describe, expect, it } from 'vitest';
import { MetricRegistry } from '../../src/metrics/exposition/registry.js';
import { createRunTracer } from '../../src/tracing/run-tracer.js';
import { OtlpReceiver } from '../helpers/otlp-receiver.js';
import { memoryLogger } from './logs.js';
import { finishedRuns } from './runs.js';

const config = { headers: {}, protocol: 'http/protobuf' as const, compression: 'none' as const, serviceName: 'dify', includeEndUser: false, maxOutboxSpans: 4, maxBatchSize: 10 };
const bot = { app: 'support-bot', mode: 'workflow', serviceName: null };
let receiver: OtlpReceiver | undefined;
afterEach(async () => receiver?.close());

describe('span delivery self-metrics', () => {
  it('are exported at zero when tracing is off', async () => {
    const registry = new MetricRegistry();
    await createRunTracer({ ...config, endpoint: null }, { logger: memoryLogger().logger, registry });
    const text = await registry.render('prometheus');
    expect(text).toContain('dify_exporter_spans_exported_total 0\n');
    expect(text).toContain('dify_exporter_spans_dropped_total{reason="outbox_full"} 0\n');
    expect(text).toContain('dify_exporter_spans_dropped_total{reason="rejected"} 0\n');
    expect(text).toContain('dify_exporter_span_queue_size 0\n');
  });

  it('count exported and dropped spans and show the queue', async () => {
    receiver = await OtlpReceiver.start();
    const registry = new MetricRegistry();
    const tracer = await createRunTracer({ ...config, endpoint: receiver.url }, { logger: memoryLogger().logger, registry });
    for (const run of finishedRuns(6)) tracer.record(bot, run); // bound 4: the 2 oldest go
    expect(await registry.render('prometheus')).toContain('dify_exporter_span_queue_size 4\n');
    tracer.start();
    await tracer.forceFlush();
    const text = await registry.render('openmetrics');
    expect(text).toContain('dify_exporter_spans_exported_total 4\n');
    expect(text).toContain('dify_exporter_spans_dropped_total{reason="outbox_full"} 2\n');
    expect(text).toContain('dify_exporter_span_queue_size 0\n');
    await tracer.shutdown();
  });
});
