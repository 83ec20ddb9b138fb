/**
 * Every dify_* and dify_exporter_* metric, declared in one place. docs/metrics.md lists exactly
 * these (a test keeps the two in step). Label values are bounded: app names come from the config,
 * everything else from fixed sets.
 */
import { Counter } from './exposition/counter.js';
import { Gauge } from './exposition/gauge.js';
import { Histogram } from './exposition/histogram.js';
import type { MetricRegistry } from './exposition/registry.js';

/** Elapsed time of LLM workflows: a quarter second up to an hour. */
export const DURATION_BUCKETS = [0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600];
/** Tokens per run: 100 up to a million. */
export const TOKEN_BUCKETS = [100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000];
/** Steps (nodes executed) per run: 1 up to 100. */
export const STEP_BUCKETS = [1, 2, 3, 5, 8, 10, 15, 20, 30, 50, 75, 100];

export const POLL_ERROR_REASONS = [
  'auth',
  'forbidden',
  'rate_limited',
  'timeout',
  'network',
  'http_5xx',
  'bad_response',
] as const;
export type PollErrorReason = (typeof POLL_ERROR_REASONS)[number];

export function defineMetrics(registry: MetricRegistry) {
  const r = <F extends Counter | Gauge | Histogram>(f: F): F => registry.register(f);
  return {
    runs: r(new Counter({
      name: 'dify_workflow_runs_total',
      help: 'Finished workflow runs, counted once each when first seen in a final status.',
      labelNames: ['app', 'status', 'triggered_from', 'created_from'],
    })),
    duration: r(new Histogram({
      name: 'dify_workflow_run_duration_seconds',
      help: 'Elapsed time of finished workflow runs (Dify elapsed_time).',
      labelNames: ['app', 'status'],
      buckets: DURATION_BUCKETS,
    })),
    runTokens: r(new Histogram({
      name: 'dify_workflow_run_tokens',
      help: 'Total tokens used per finished workflow run.',
      labelNames: ['app', 'status'],
      buckets: TOKEN_BUCKETS,
    })),
    tokens: r(new Counter({
      name: 'dify_workflow_tokens_total',
      help: 'Tokens used by finished workflow runs.',
      labelNames: ['app', 'status'],
    })),
    steps: r(new Histogram({
      name: 'dify_workflow_run_steps',
      help: 'Steps (nodes executed) per finished workflow run.',
      labelNames: ['app', 'status'],
      buckets: STEP_BUCKETS,
    })),
    exceptions: r(new Counter({
      name: 'dify_workflow_exceptions_total',
      help: 'Sum of exceptions_count over finished workflow runs.',
      labelNames: ['app'],
    })),
    inProgress: r(new Gauge({
      name: 'dify_workflow_runs_in_progress',
      help: 'Runs seen started but not finished yet, by status (running, paused).',
      labelNames: ['app', 'status'],
    })),
    lastFinished: r(new Gauge({
      name: 'dify_workflow_last_finished_timestamp_seconds',
      help: 'Unix time at which the newest counted run of this status finished.',
      labelNames: ['app', 'status'],
    })),
    targetUp: r(new Gauge({
      name: 'dify_exporter_target_up',
      help: '1 if the last poll of this app succeeded, else 0.',
      labelNames: ['app'],
    })),
    targetInfo: r(new Gauge({
      name: 'dify_exporter_target_info',
      help: 'Always 1; labels describe the app (mode) and its Dify server (server_version).',
      labelNames: ['app', 'mode', 'server_version'],
    })),
    pollErrors: r(new Counter({
      name: 'dify_exporter_poll_errors_total',
      help: 'Failed polls, by reason.',
      labelNames: ['app', 'reason'],
    })),
    lastSuccessfulPoll: r(new Gauge({
      name: 'dify_exporter_last_successful_poll_timestamp_seconds',
      help: 'Unix time of the last poll of this app that succeeded.',
      labelNames: ['app'],
    })),
    pollDuration: r(new Gauge({
      name: 'dify_exporter_last_poll_duration_seconds',
      help: 'Wall-clock time the last poll of this app took.',
      labelNames: ['app'],
    })),
    apiRequests: r(new Counter({
      name: 'dify_exporter_api_requests_total',
      help: 'Requests sent to the Dify API, by endpoint and HTTP status code (or "error" when no response).',
      labelNames: ['app', 'endpoint', 'code'],
    })),
    pendingDropped: r(new Counter({
      name: 'dify_exporter_pending_runs_dropped_total',
      help: 'Unfinished runs the exporter stopped following (pending set full, or the row disappeared).',
      labelNames: ['app', 'reason'],
    })),
    badRows: r(new Counter({
      name: 'dify_exporter_bad_rows_total',
      help: 'Log rows skipped because they could not be read (missing id, bad timestamps).',
      labelNames: ['app'],
    })),
    lateRowMax: r(new Gauge({
      name: 'dify_exporter_late_row_max_seconds',
      help: 'Largest delay seen between newer rows and an older row turning up; rows later than poll.overlap are missed.',
      labelNames: ['app'],
    })),
    unsupportedApp: r(new Gauge({
      name: 'dify_exporter_target_unsupported',
      help: '1 when the app mode records no runs in workflow logs (chatflow, chat, completion, ...).',
      labelNames: ['app', 'mode'],
    })),
    buildInfo: r(new Gauge({
      name: 'dify_exporter_build_info',
      help: 'Always 1; the version label is the exporter version.',
      labelNames: ['version', 'nodejs_version'],
    })),
  };
}

export type ExporterMetrics = ReturnType<typeof defineMetrics>;
