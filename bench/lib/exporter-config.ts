/** The configuration the benchmark runs the exporter with: real defaults except where noted. */
import { configFileSchema, type ExporterConfig } from '../../src/config/schema.js';

export interface BenchTargets {
  simUrl: string;
  keys: string[];
  /** OTLP endpoint (base URL), or null for tracing off. */
  sinkUrl: string | null;
  lookbackSeconds: number;
  statePath: string | null;
  /** Names app-000.. (else the name comes from GET /v1/info). */
  named?: boolean;
}

/** Requests per second allowed towards one Dify server: the schema's maximum, so the client is never throttled. */
export const BENCH_REQUESTS_PER_SECOND = 10_000;

export function benchConfig(t: BenchTargets): ExporterConfig {
  return configFileSchema().parse({
    server: { listen: '127.0.0.1:0' },
    poll: { interval: '15s', initial_lookback: `${t.lookbackSeconds}s` },
    state: { path: t.statePath },
    http: { requests_per_second: BENCH_REQUESTS_PER_SECOND },
    tracing: { endpoint: t.sinkUrl },
    log: { level: 'warn' },
    targets: t.keys.map((key, i) => ({
      ...(t.named ? { name: `app-${String(i).padStart(3, '0')}` } : {}),
      base_url: t.simUrl,
      api_key: key,
    })),
  });
}
