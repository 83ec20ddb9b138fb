/**
 * Builds the run tracer from the `tracing:` config: the OTLP/HTTP span pipeline when an endpoint
 * is set, the no-op tracer otherwise. The environment is passed in (OTEL_RESOURCE_ATTRIBUTES);
 * endpoint, headers and service name arrive already resolved by the config module.
 */
import { systemClock, type Clock } from '../clock.js';
import type { MetricRegistry } from '../metrics/exposition/registry.js';
import { noDeliveryMetrics, type SpanDeliveryMetrics } from './delivery-metrics.js';
import { createOtlpHttpExporter, type SpanRecordExporter } from './otlp/http-exporter.js';
import type { OtlpCompression, OtlpProtocol } from './otlp/protocols.js';
import { spanRecordSerializer } from './otlp/serializers.js';
import { tlsFromEnv } from './otlp/tls-from-env.js';
import { SpanPipeline, type TracingLogger } from './pipeline.js';
import { parseResourceAttributes, ResourceCache } from './resource.js';
import { systemTimers, type Timers } from '../timers.js';

export interface TracingConfig {
  /** OTLP/HTTP endpoint (base URL, `/v1/traces` is appended unless already there); null = tracing off. */
  endpoint: string | null;
  headers: Record<string, string>;
  protocol: OtlpProtocol;
  compression: OtlpCompression;
  /** Default `service.name`; a target's own serviceName wins. */
  serviceName: string;
  /** Add end-user id and session id to spans (they identify people). */
  includeEndUser: boolean;
  maxOutboxSpans: number;
  maxBatchSize: number;
}

export interface RunTracerDeps {
  logger: TracingLogger;
  /** The exporter's registry: the span-delivery self-metrics are registered on it (also when tracing is off). */
  registry?: MetricRegistry;
  /** Where delivery is reported instead (tests); takes precedence over `registry`. */
  metrics?: SpanDeliveryMetrics;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  timers?: Timers;
  /** Replaces the OTLP/HTTP exporter (tests, or another transport). */
  exporter?: SpanRecordExporter;
  /** Per-request timeout of the OTLP exporter, its own retries included. Default 10 s. */
  exportTimeoutMillis?: number;
  /** Exporter version, reported as the instrumentation scope version. */
  version?: string;
  flushIntervalMillis?: number;
  maxConcurrentExports?: number;
  initialBackoffMillis?: number;
  maxBackoffMillis?: number;
  shutdownTimeoutMillis?: number;
}

export const SCOPE_NAME = 'dify-exporter';

/**
 * The traces URL for a configured endpoint: a bare collector address gets `/v1/traces`; a URL with
 * a path is used as is (as OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be, per the OTel spec).
 */
export function tracesUrl(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.pathname === '' || url.pathname === '/') url.pathname = '/v1/traces';
  return url.toString();
}

/** The span pipeline itself (tests use it for idle()). */
export function createSpanPipeline(config: TracingConfig & { endpoint: string }, deps: RunTracerDeps): SpanPipeline {
  const env = deps.env ?? {};
  const parsed = parseResourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES);
  if (!parsed.ok) deps.logger.warn({ reason: parsed.error }, 'OTEL_RESOURCE_ATTRIBUTES ignored');
  const exportTimeoutMillis = deps.exportTimeoutMillis ?? 10_000;
  const resources = new ResourceCache(parsed.ok ? parsed.attributes : {});
  const scope = deps.version === undefined ? { name: SCOPE_NAME } : { name: SCOPE_NAME, version: deps.version };
  const exporter =
    deps.exporter ??
    createOtlpHttpExporter({
      url: tracesUrl(config.endpoint),
      headers: config.headers,
      protocol: config.protocol,
      compression: config.compression,
      timeoutMillis: exportTimeoutMillis,
      serializer: spanRecordSerializer(config.protocol, resources, scope),
      tls: tlsFromEnv(env, (variable, reason) => deps.logger.warn({ variable, reason }, 'OTLP TLS file not readable; connecting without it')),
    });
  return new SpanPipeline({
    exporter,
    maxOutboxSpans: config.maxOutboxSpans,
    maxBatchSize: config.maxBatchSize,
    defaultServiceName: config.serviceName,
    includeEndUser: config.includeEndUser,
    logger: deps.logger,
    metrics: deps.metrics ?? noDeliveryMetrics,
    timers: deps.timers ?? systemTimers,
    clock: deps.clock ?? systemClock,
    flushIntervalMillis: deps.flushIntervalMillis ?? 2_000,
    maxConcurrentExports: deps.maxConcurrentExports ?? 2,
    initialBackoffMillis: deps.initialBackoffMillis ?? 1_000,
    maxBackoffMillis: deps.maxBackoffMillis ?? 30_000,
    shutdownTimeoutMillis: deps.shutdownTimeoutMillis ?? exportTimeoutMillis + 1_000,
  });
}
