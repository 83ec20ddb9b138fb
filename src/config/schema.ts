/**
 * The configuration schema: every key of the YAML file with its default, its validation and a
 * one-line description, in one place. docs/configuration.md is generated from it (see docs.ts).
 * YAML keys are snake_case; the parsed ExporterConfig is camelCase with durations in ms.
 */
import { z } from 'zod';
import {
  boolean,
  duration,
  httpUrl,
  integer,
  missingOr,
  optionalHttpUrl,
  optionalText,
  positiveNumber,
  stringMap,
  text,
} from './fields.js';
import { parseListen } from './listen.js';
import { OTLP_COMPRESSIONS, OTLP_PROTOCOLS, type OtlpCompression, type OtlpProtocol } from '../tracing/otlp/protocols.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface TargetConfig {
  /** Explicit name; null means "use the app name from GET /v1/info". */
  name: string | null;
  /** http(s) URL ending in /v1, without a trailing slash. */
  baseUrl: string;
  apiKey: string;
  serviceName: string | null;
}

export interface ExporterConfig {
  server: { host: string; port: number };
  poll: {
    intervalMs: number;
    initialLookbackMs: number;
    overlapMs: number;
    pageLimit: number;
    maxLookupsPerPoll: number;
    maxPendingRuns: number;
    pendingRescanWindowMs: number;
    maxPendingAgeMs: number;
    maxPagesPerPoll: number;
  };
  state: { path: string | null };
  http: { timeoutMs: number; maxRetries: number; requestsPerSecond: number; maxConnections: number };
  tracing: {
    /** OTLP/HTTP traces endpoint; null = tracing off. */
    endpoint: string | null;
    headers: Record<string, string>;
    protocol: OtlpProtocol;
    compression: OtlpCompression;
    serviceName: string;
    includeEndUser: boolean;
    maxOutboxSpans: number;
    maxBatchSize: number;
  };
  log: { level: LogLevel };
  targets: TargetConfig[];
}

const mapping = { error: missingOr('a mapping (key: value)') };

/** One of a fixed list of strings; the error lists them. */
function oneOf<const Values extends readonly [string, ...string[]]>(values: Values) {
  return z.enum(values, {
    error: (issue) => (issue.input == null ? 'missing' : `${JSON.stringify(issue.input)} is not one of ${values.join(', ')}`),
  });
}

/** A section with defaults for every key, so the whole section may be left out. */
function section<Shape extends z.core.$ZodLooseShape>(shape: Shape, description: string) {
  // `{}` is a valid input for every section: each key has a default.
  return z.strictObject(shape, mapping).prefault({} as never).describe(description);
}

/**
 * The schema of the configuration file, made when asked for: the exporter needs it once, at start,
 * and zod schemas are heavy (about 1.6 MB of heap that a long-running exporter would keep).
 */
export function configFileSchema() {
  const listen = z
    .union([z.string(), z.number()], { error: missingOr('host:port') })
    .transform((value, ctx) => {
      const parsed = parseListen(value);
      if (typeof parsed === 'string') {
        ctx.addIssue({ code: 'custom', message: parsed });
        return z.NEVER;
      }
      return parsed;
    });

  const target = z.strictObject(
    {
      name: optionalText().prefault(null).describe('Name in metrics and spans (label `app`); defaults to the app name from GET /v1/info.'),
      base_url: httpUrl('/v1').describe("Dify service API base URL, ending in /v1 (e.g. https://api.dify.ai/v1); a bare https://host means https://host/v1."),
      api_key: text().trim().min(1, 'empty').describe('The app\'s API key (app-...); use ${ENV_VAR} rather than writing it in the file.'),
      service_name: optionalText().prefault(null).describe('Overrides tracing.service_name for this app\'s spans.'),
    },
    mapping,
  );

  /** Explicit target names must be unique. Runs even when other fields have problems, so every problem is listed at once. */
  const uniqueTargetNames = z.superRefine<unknown[]>((targets, ctx) => {
    if (!Array.isArray(targets)) return; // reported by the array type itself
    const firstIndex = new Map<string, number>();
    targets.forEach((entry, index) => {
      const name = (entry as { name?: unknown } | null)?.name;
      if (typeof name !== 'string') return;
      const earlier = firstIndex.get(name);
      if (earlier === undefined) firstIndex.set(name, index);
      else ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `"${name}" is already used by targets[${earlier}]` });
    });
  });
  uniqueTargetNames._zod.def.when = () => true;

  /** The same app (server + key) listed twice would count every run twice. */
  const uniqueTargetApps = z.superRefine<unknown[]>((targets, ctx) => {
    if (!Array.isArray(targets)) return;
    const firstIndex = new Map<string, number>();
    targets.forEach((entry, index) => {
      const t = entry as { base_url?: unknown; api_key?: unknown } | null;
      if (typeof t?.base_url !== 'string' || typeof t.api_key !== 'string' || t.api_key.trim() === '') return;
      let where: string;
      try {
        const u = new URL(t.base_url);
        where = `${u.origin}${u.pathname.replace(/\/+$/, '') || '/v1'}`;
      } catch {
        return; // reported by the URL field
      }
      const key = `${where}\n${t.api_key}`;
      const earlier = firstIndex.get(key);
      if (earlier === undefined) firstIndex.set(key, index);
      else ctx.addIssue({ code: 'custom', path: [index, 'api_key'], message: `same Dify app (server and key) as targets[${earlier}]: each run would be counted twice` });
    });
  });
  uniqueTargetApps._zod.def.when = () => true;

  return z
    .strictObject(
      {
        server: section(
          { listen: listen.prefault('0.0.0.0:9818').describe('Address of the HTTP server (/metrics, /healthz, /readyz): host:port, [::]:port or :port.') },
          'HTTP server for Prometheus and health checks.',
        ),
        poll: section(
          {
            interval: duration(1_000).prefault('15s').describe('How often each target is polled (at least 1s).'),
            initial_lookback: duration().prefault('0s').describe('On first start (no state), count runs created at most this long ago; 0s counts only new runs.'),
            overlap: duration().prefault('5s').describe('Re-read window below the newest row seen, for late commits and whole-second timestamps.'),
            page_limit: integer(1, 100).prefault(100).describe('Rows per page of GET /v1/workflows/logs (1..100).'),
            max_lookups_per_poll: integer(0, 10_000).prefault(20).describe('Per target and poll: single-run look-ups for old pending (running or paused) runs.'),
            max_pending_runs: integer(1, 10_000_000).prefault(100_000).describe('Per target: most running or paused runs followed at once; beyond this the oldest are dropped (counted in a metric).'),
            pending_rescan_window: duration().prefault('10m').describe('Pending runs younger than this are followed by re-scanning the log, older ones by look-ups.'),
            max_pending_age: duration(60_000).prefault('30d').describe('Runs still running or paused after this long are no longer followed (counted as dropped, reason expired): Dify leaves crashed runs "running" for ever.'),
            max_pages_per_poll: integer(1, 99_999).prefault(500).describe('Per target and poll: most log pages read; a larger backlog is caught up oldest first over the next polls, which follow at once.'),
          },
          'How Dify workflow logs are read.',
        ),
        state: section(
          { path: optionalText().prefault('./dify-exporter-state.json').describe('State file (watermarks, pending runs), written atomically after each poll; empty or null keeps state in memory only.') },
          'Where progress is kept across restarts.',
        ),
        http: section(
          {
            timeout: duration(1).prefault('30s').describe('Timeout of one HTTP request to Dify.'),
            max_retries: integer(0, 20).prefault(4).describe('Retries on network errors, 5xx and 429, with exponential backoff and jitter.'),
            requests_per_second: positiveNumber(10_000).prefault(20).describe('Request rate limit per Dify server (origin), shared by its targets.'),
            max_connections: integer(1, 1024).prefault(8).describe('Keep-alive connections per Dify server.'),
          },
          'HTTP client towards Dify.',
        ),
        tracing: section(
          {
            endpoint: optionalHttpUrl().prefault(null).describe('OTLP/HTTP traces URL; a bare collector address (http://collector:4318) gets /v1/traces appended, a URL with a path is used as is; empty turns tracing off. Filled from OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT when empty.'),
            headers: stringMap().prefault({}).describe('HTTP headers sent with spans (e.g. authorization); filled from OTEL_EXPORTER_OTLP_TRACES_HEADERS or OTEL_EXPORTER_OTLP_HEADERS when empty.'),
            protocol: oneOf(OTLP_PROTOCOLS).prefault('http/protobuf').describe(`OTLP encoding: ${OTLP_PROTOCOLS.join(' or ')}; filled from OTEL_EXPORTER_OTLP_TRACES_PROTOCOL or OTEL_EXPORTER_OTLP_PROTOCOL when not set.`),
            compression: oneOf(OTLP_COMPRESSIONS).prefault('none').describe(`Request body compression: ${OTLP_COMPRESSIONS.join(' or ')}; filled from OTEL_EXPORTER_OTLP_TRACES_COMPRESSION or OTEL_EXPORTER_OTLP_COMPRESSION when not set.`),
            service_name: text().trim().min(1, 'empty').prefault('dify').describe('service.name of the spans; filled from OTEL_SERVICE_NAME when not set.'),
            include_end_user: boolean().prefault(false).describe('Put the end-user id and session id on spans (they identify people).'),
            max_outbox_spans: integer(1, 10_000_000).prefault(10_000).describe('Spans kept until the collector accepts them (saved in the state file); beyond this the oldest waiting span is dropped and counted in dify_exporter_spans_dropped_total. At least twice poll.page_limit.'),
            max_batch_size: integer(1, 100_000).prefault(1024).describe('Spans per export request (at most half of max_outbox_spans); a request of 1,024 spans is ~650 KB.'),
          },
          'One OpenTelemetry span per finished run, sent over OTLP/HTTP.',
        ),
        log: section(
          {
            level: oneOf(LOG_LEVELS)
              .prefault('info')
              .describe(`Log level: ${LOG_LEVELS.join(', ')}.`),
          },
          'JSON logs on stdout.',
        ),
        targets: z
          .array(target, { error: missingOr('a list of Dify apps') })
          .min(1, 'list at least one Dify app (base_url and api_key)')
          .check(uniqueTargetNames)
          .check(uniqueTargetApps)
          .describe('The Dify apps to watch: one entry per app API key, on one or more Dify servers.'),
      },
      { error: (issue) => (issue.input == null ? 'the file is empty: list your Dify apps under targets:' : 'the file must be a YAML mapping (key: value)') },
    )
    .check(
      // A backlog is read while the span outbox has room for a page's spans, and catch-up keeps
      // half the outbox free: with less than two pages, a backlog would never be read.
      z.superRefine((file, ctx) => {
        const least = 2 * file.poll.page_limit;
        if (file.tracing.max_outbox_spans < least) {
          ctx.addIssue({ code: 'custom', path: ['tracing', 'max_outbox_spans'], message: `must be at least twice poll.page_limit (${least}): a backlog is read a page at a time into half the outbox` });
        }
      }),
    )
    .transform(
      (file): ExporterConfig => ({
        server: { host: file.server.listen.host, port: file.server.listen.port },
        poll: {
          intervalMs: file.poll.interval,
          initialLookbackMs: file.poll.initial_lookback,
          overlapMs: file.poll.overlap,
          pageLimit: file.poll.page_limit,
          maxLookupsPerPoll: file.poll.max_lookups_per_poll,
          maxPendingRuns: file.poll.max_pending_runs,
          pendingRescanWindowMs: file.poll.pending_rescan_window,
          maxPendingAgeMs: file.poll.max_pending_age,
          maxPagesPerPoll: file.poll.max_pages_per_poll,
        },
        state: { path: file.state.path },
        http: {
          timeoutMs: file.http.timeout,
          maxRetries: file.http.max_retries,
          requestsPerSecond: file.http.requests_per_second,
          maxConnections: file.http.max_connections,
        },
        tracing: {
          endpoint: file.tracing.endpoint,
          headers: file.tracing.headers,
          protocol: file.tracing.protocol,
          compression: file.tracing.compression,
          serviceName: file.tracing.service_name,
          includeEndUser: file.tracing.include_end_user,
          maxOutboxSpans: file.tracing.max_outbox_spans,
          maxBatchSize: file.tracing.max_batch_size,
        },
        log: { level: file.log.level },
        targets: file.targets.map((t) => ({ name: t.name, baseUrl: t.base_url, apiKey: t.api_key, serviceName: t.service_name })),
      }),
    );
}
