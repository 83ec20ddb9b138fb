import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig, type LoadOptions } from '../../src/config/load.js';
import type { ExporterConfig } from '../../src/config/schema.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/config');
const KEY = 'app-support-bot-secret-0001';

function problems(options: LoadOptions): readonly string[] {
  try {
    loadConfig(options);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('configuration was accepted');
}

function yamlFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'dify-exporter-config-')), 'config.yaml');
  writeFileSync(path, text);
  return path;
}

const DEFAULTS: Omit<ExporterConfig, 'targets'> = {
  server: { host: '0.0.0.0', port: 9818 },
  poll: {
    intervalMs: 15_000,
    initialLookbackMs: 0,
    overlapMs: 5_000,
    pageLimit: 100,
    maxLookupsPerPoll: 20,
    maxPendingRuns: 100_000,
    pendingRescanWindowMs: 600_000,
    maxPendingAgeMs: 30 * 86_400_000,
    maxPagesPerPoll: 500,
  },
  state: { path: './dify-exporter-state.json' },
  http: { timeoutMs: 30_000, maxRetries: 4, requestsPerSecond: 20, maxConnections: 8 },
  tracing: { endpoint: null, headers: {}, protocol: 'http/protobuf', compression: 'none', serviceName: 'dify', includeEndUser: false, maxOutboxSpans: 10_000, maxBatchSize: 1024 },
  log: { level: 'info' },
};

describe('loadConfig from a file', () => {
  it('fills every default around one target', () => {
    const config = loadConfig({ configPath: join(FIXTURES, 'good-minimal.yaml'), env: { SUPPORT_BOT_KEY: KEY } });
    expect(config).toEqual({ ...DEFAULTS, targets: [{ name: null, baseUrl: 'https://api.dify.ai/v1', apiKey: KEY, serviceName: null }] });
  });

  it('reads every key, converting durations to ms and interpolating ${VAR}, ${VAR:-default} and $${', () => {
    const config = loadConfig({ configPath: join(FIXTURES, 'good-full.yaml'), env: { SUPPORT_BOT_KEY: KEY, COLLECTOR_TOKEN: 'tok-123456', THIRD_NAME: '' } });
    expect(config).toEqual({
      server: { host: '::1', port: 9999 },
      poll: {
        intervalMs: 90_000,
        initialLookbackMs: 7_200_000,
        overlapMs: 10_000,
        pageLimit: 50,
        maxLookupsPerPoll: 5,
        maxPendingRuns: 1000,
        pendingRescanWindowMs: 1_800_000,
        maxPendingAgeMs: 7 * 86_400_000,
        maxPagesPerPoll: 200,
      },
      state: { path: '/var/lib/dify-exporter/state.json' },
      http: { timeoutMs: 500, maxRetries: 0, requestsPerSecond: 2.5, maxConnections: 2 },
      tracing: {
        endpoint: 'http://collector:4318',
        headers: { authorization: 'Bearer tok-123456', 'x-tenant': '42' },
        protocol: 'http/json',
        compression: 'gzip',
        serviceName: 'dify-prod',
        includeEndUser: true,
        maxOutboxSpans: 500,
        maxBatchSize: 100,
      },
      log: { level: 'debug' },
      targets: [
        { name: 'support-bot', baseUrl: 'https://api.dify.ai/v1', apiKey: KEY, serviceName: 'support' },
        { name: null, baseUrl: 'http://dify.internal.example/v1', apiKey: 'app-triage-default-key', serviceName: null },
        { name: 'third', baseUrl: 'https://dify.example.com/team-a/v1', apiKey: 'app-${literal}-key', serviceName: null },
      ],
    });
  });

  it('takes the file from DIFY_EXPORTER_CONFIG, and --config over it', () => {
    const fromEnv = yamlFile('targets: [{ name: from-env, base_url: "https://a.example/v1", api_key: app-aaaaaaaa }]\n');
    const fromFlag = yamlFile('targets: [{ name: from-flag, base_url: "https://a.example/v1", api_key: app-aaaaaaaa }]\n');
    expect(loadConfig({ env: { DIFY_EXPORTER_CONFIG: fromEnv } }).targets[0]?.name).toBe('from-env');
    expect(loadConfig({ configPath: fromFlag, env: { DIFY_EXPORTER_CONFIG: fromEnv } }).targets[0]?.name).toBe('from-flag');
  });

  it('ignores the DIFY_* one-app variables when a file is given', () => {
    const file = yamlFile('targets: [{ name: file-app, base_url: "https://a.example/v1", api_key: app-aaaaaaaa }]\n');
    const config = loadConfig({ configPath: file, env: { DIFY_BASE_URL: 'https://other.example/v1', DIFY_API_KEY: 'app-bbbbbbbb' } });
    expect(config.targets.map((t) => t.name)).toEqual(['file-app']);
  });

  it('treats an empty section as all defaults', () => {
    const file = yamlFile('poll:\nhttp:\ntargets: [{ base_url: "https://a.example/v1", api_key: app-aaaaaaaa }]\n');
    expect(loadConfig({ configPath: file, env: {} }).poll).toEqual(DEFAULTS.poll);
  });

  it('refuses a span outbox smaller than two pages (a backlog would never be read)', () => {
    const targets = 'targets: [{ base_url: "https://a.example/v1", api_key: app-aaaaaaaa }]\n';
    const small = yamlFile(`tracing: { max_outbox_spans: 150 }\n${targets}`);
    expect(problems({ configPath: small, env: {} })).toEqual([
      'tracing.max_outbox_spans: must be at least twice poll.page_limit (200): a backlog is read a page at a time into half the outbox',
    ]);
    const smallPages = yamlFile(`tracing: { max_outbox_spans: 150 }\npoll: { page_limit: 50 }\n${targets}`);
    expect(loadConfig({ configPath: smallPages, env: {} }).tracing.maxOutboxSpans).toBe(150);
  });

  it('says when the file cannot be read, naming it as the source', () => {
    const missing = join(tmpdir(), 'no-such-dify-exporter.yaml');
    let error: unknown;
    try {
      loadConfig({ configPath: missing, env: {} });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(['cannot read the config file: no such file']);
    expect((error as ConfigError).source).toBe(missing);
  });

  it('never repeats a key in a message, even where it lands in a field that is echoed', () => {
    const file = yamlFile(
      ['targets:', '  - name: ${KEY}', '    base_url: https://a.example/v1', '    api_key: ${KEY}', '  - name: ${KEY}', '    base_url: https://a.example/v1', '    api_key: app-other-000000'].join('\n'),
    );
    const lines = problems({ configPath: file, env: { KEY } });
    expect(lines).toEqual(['targets[1].name: "[REDACTED]" is already used by targets[0] (from ${KEY})']);
  });
});

describe('loadConfig without a file', () => {
  it('builds one target from DIFY_BASE_URL, DIFY_API_KEY and DIFY_APP_NAME', () => {
    const config = loadConfig({
      env: { DIFY_BASE_URL: 'https://api.dify.ai/v1', DIFY_API_KEY: KEY, DIFY_APP_NAME: 'support-bot', DIFY_EXPORTER_LISTEN: '127.0.0.1:9000' },
    });
    expect(config).toEqual({
      ...DEFAULTS,
      server: { host: '127.0.0.1', port: 9000 },
      targets: [{ name: 'support-bot', baseUrl: 'https://api.dify.ai/v1', apiKey: KEY, serviceName: null }],
    });
  });

  it('takes state path, log level and poll interval from DIFY_EXPORTER_*', () => {
    const config = loadConfig({
      env: { DIFY_BASE_URL: 'https://api.dify.ai/v1', DIFY_API_KEY: KEY, DIFY_EXPORTER_STATE_PATH: '', DIFY_EXPORTER_LOG_LEVEL: 'warn', DIFY_EXPORTER_POLL_INTERVAL: '1m' },
    });
    expect([config.state.path, config.log.level, config.poll.intervalMs, config.targets[0]?.name]).toEqual([null, 'warn', 60_000, null]);
  });

  it('names the variable, not the field, in its messages', () => {
    expect(problems({ env: { DIFY_BASE_URL: 'api.dify.ai', DIFY_API_KEY: '', DIFY_EXPORTER_LOG_LEVEL: 'loud' } })).toEqual([
      'DIFY_EXPORTER_LOG_LEVEL: "loud" is not one of fatal, error, warn, info, debug, trace, silent',
      'DIFY_BASE_URL: not an http(s) URL',
      'DIFY_API_KEY: empty',
    ]);
    expect(problems({ env: { DIFY_API_KEY: KEY } })).toEqual(['DIFY_BASE_URL: missing (without a config file, set DIFY_BASE_URL and DIFY_API_KEY)']);
  });

  it('explains how to configure when there is nothing at all', () => {
    expect(problems({ env: {} })).toEqual(['no configuration: pass --config FILE, set DIFY_EXPORTER_CONFIG, or set DIFY_BASE_URL and DIFY_API_KEY']);
  });
});

describe('OTEL_* environment variables', () => {
  const base = { DIFY_BASE_URL: 'https://api.dify.ai/v1', DIFY_API_KEY: KEY };
  const tracing = (env: Record<string, string>, file?: string) =>
    loadConfig(file ? { configPath: yamlFile(file), env } : { env: { ...base, ...env } }).tracing;

  it('turn tracing on from OTEL_EXPORTER_OTLP_ENDPOINT, appending /v1/traces', () => {
    expect(tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).endpoint).toBe('http://collector:4318/v1/traces');
  });

  it('prefer OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, used as is', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://b.example/otlp/traces' };
    expect(tracing(env).endpoint).toBe('https://b.example/otlp/traces');
  });

  it('read headers as percent-encoded k=v pairs, and the service name', () => {
    const t = tracing({ OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20tok%3D%3D, x-scope = team%2Ca', OTEL_SERVICE_NAME: 'dify-staging' });
    expect([t.headers, t.serviceName]).toEqual([{ Authorization: 'Bearer tok==', 'x-scope': 'team,a' }, 'dify-staging']);
  });

  it('only fill what the file leaves empty', () => {
    const file = [
      'tracing: { endpoint: "http://file:4318", headers: { x-file: "1" }, service_name: from-file }',
      'targets: [{ base_url: "https://a.example/v1", api_key: app-aaaaaaaa }]',
    ].join('\n');
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env:4318', OTEL_EXPORTER_OTLP_HEADERS: 'x-env=1', OTEL_SERVICE_NAME: 'from-env' };
    expect(tracing(env, file)).toMatchObject({ endpoint: 'http://file:4318', headers: { 'x-file': '1' }, serviceName: 'from-file' });
    const empty = 'tracing: { endpoint: "" }\ntargets: [{ base_url: "https://a.example/v1", api_key: app-aaaaaaaa }]\n';
    expect(tracing(env, empty)).toMatchObject({ endpoint: 'http://env:4318/v1/traces', headers: { 'x-env': '1' }, serviceName: 'from-env' });
  });

  it('choose the OTLP encoding and compression, the per-signal variable first', () => {
    expect(tracing({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' })).toMatchObject({ protocol: 'http/json', compression: 'gzip' });
    const both = { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' };
    expect(tracing(both).protocol).toBe('http/protobuf');
    const file = 'tracing: { protocol: http/json }\ntargets: [{ base_url: "https://a.example/v1", api_key: app-aaaaaaaa }]\n';
    expect(tracing({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }, file).protocol).toBe('http/json');
  });

  it('name an encoding the exporter does not speak (gRPC) by its variable', () => {
    expect(problems({ env: { ...base, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' } })).toEqual([
      'OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" is not one of http/protobuf, http/json',
    ]);
  });

  it('OTEL_SDK_DISABLED=true turns tracing off', () => {
    expect(tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }).endpoint).toBeNull();
  });

  it('report bad values by variable name without echoing header values', () => {
    expect(problems({ env: { ...base, OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer s3cret-token,broken', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector' } })).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT: not an http(s) URL',
      'OTEL_EXPORTER_OTLP_HEADERS: entry 2 is not key=value',
    ]);
  });
});
