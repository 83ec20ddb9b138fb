/**
 * A real Prometheus server for tests: started on a free loopback port with its own temporary
 * storage, scraping the given targets every second and evaluating the given rule files, queried
 * over its HTTP API. Every wait is bounded; `stop()` kills the process and removes its files.
 *
 * Binaries come from the Debian package `prometheus` (/usr/bin/prometheus, /usr/bin/promtool), or
 * from PROMETHEUS_BIN / PROMTOOL_BIN. `findPrometheusTool` says whether a test may skip without them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export type PrometheusTool = 'prometheus' | 'promtool';

export interface ToolLookup {
  /** Path of the binary, or undefined when it is not installed. */
  path: string | undefined;
  /** True when a test needing the tool should be skipped: missing, and not running in CI. */
  skip: boolean;
  /** Why it is missing: for the skip message, and the failure in CI. */
  reason: string;
}

/**
 * Locates a Prometheus binary. In CI (env CI set) a missing binary must fail the test, so `skip`
 * is false and the test should call `requireTool`; locally it may be skipped with `reason`.
 */
export function findPrometheusTool(tool: PrometheusTool): ToolLookup {
  const fromEnv = process.env[tool === 'prometheus' ? 'PROMETHEUS_BIN' : 'PROMTOOL_BIN'];
  const candidates = [fromEnv, `/usr/bin/${tool}`, `/usr/local/bin/${tool}`].filter((p): p is string => !!p);
  const path = candidates.find((p) => existsSync(p));
  const reason = `${tool} not found (looked in ${candidates.join(', ')}); install the Debian package "prometheus"`;
  return { path, skip: path === undefined && !process.env.CI, reason };
}

/** The binary's path, or an error that fails the test (used in CI, where skipping would hide a gap). */
export function requireTool(lookup: ToolLookup): string {
  if (lookup.path === undefined) throw new Error(lookup.reason);
  return lookup.path;
}

export interface ScrapeJob {
  job: string;
  /** host:port entries. */
  targets: string[];
  metricsPath?: string;
}

export interface PrometheusOptions {
  scrapeJobs: ScrapeJob[];
  /** Absolute paths of rule files to load. */
  ruleFiles?: string[];
  /** Scrape and rule evaluation interval, seconds (default 1). */
  intervalSeconds?: number;
  /** Bound on start-up, including /-/ready (default 30 s). */
  startTimeoutMs?: number;
  binary?: string;
}

export interface Sample {
  metric: Record<string, string>;
  /** Prometheus sends values as strings; "NaN" and "+Inf" become NaN and Infinity here. */
  value: number;
}

export interface RangeSeries {
  metric: Record<string, string>;
  values: Array<[number, number]>;
}

export interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing' | 'inactive';
  activeAt: string;
  value: string;
}

export interface RunningPrometheus {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Instant query; a scalar result comes back as one sample without labels. */
  query(expr: string, timeSeconds?: number): Promise<Sample[]>;
  queryRange(expr: string, startSeconds: number, endSeconds: number, stepSeconds: number): Promise<RangeSeries[]>;
  /** Values of a label over series matching `match` (what Grafana's label_values() asks). */
  labelValues(label: string, match: string): Promise<string[]>;
  /** Exemplars of the series selected by `expr` in the window. */
  queryExemplars(expr: string, startSeconds: number, endSeconds: number): Promise<Array<{ seriesLabels: Record<string, string>; exemplars: Array<{ labels: Record<string, string>; value: string; timestamp: number }> }>>;
  /** Active (pending or firing) alerts. */
  alerts(): Promise<PromAlert[]>;
  /** Rule groups as evaluated: each rule's health and last error. */
  rules(): Promise<Array<{ name: string; rules: Array<{ name: string; type: string; health: string; lastError?: string }> }>>;
  /** Polls `probe` every 200 ms until it returns a value other than undefined; fails after `timeoutMs`. */
  waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T>;
  /** Kills the server and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

const REQUEST_TIMEOUT_MS = 5_000;
const STDERR_KEEP = 16_384;

/** A port nothing listens on right now (for the server to start, or for a target that is down). */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function configYaml(options: PrometheusOptions): string {
  const interval = `${options.intervalSeconds ?? 1}s`;
  return stringify({
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    rule_files: options.ruleFiles ?? [],
    scrape_configs: options.scrapeJobs.map((job) => ({
      job_name: job.job,
      metrics_path: job.metricsPath ?? '/metrics',
      static_configs: [{ targets: job.targets }],
    })),
  });
}

function parseValue(raw: string): number {
  // Number() reads "NaN", "+Inf" and "-Inf" as NaN, Infinity and -Infinity.
  return Number(raw);
}

async function apiGet<T>(base: string, path: string, params: Record<string, string>): Promise<T> {
  const url = new URL(path, base);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const body = (await response.json()) as { status: string; data: T; error?: string; errorType?: string };
  if (body.status !== 'success') {
    throw new Error(`Prometheus ${path} ${JSON.stringify(params)}: ${body.errorType ?? ''} ${body.error ?? response.status}`);
  }
  return body.data;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts one attempt; resolves once /-/ready answers 200, rejects if the process exits first. */
async function startOnce(binary: string, dir: string, configPath: string, timeoutMs: number) {
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${join(dir, `data-${port}`)}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--enable-feature=exemplar-storage',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP);
  });
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${code ?? signal}`;
  });
  child.once('error', (err) => {
    exited = `failed to start: ${err.message}`;
  });

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited !== undefined) return { child, url, error: `prometheus ${exited}\n${stderr}` };
    try {
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
      if (response.status === 200) return { child, url, error: undefined };
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  return { child, url, error: `prometheus not ready within ${timeoutMs} ms\n${stderr}` };
}

async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const graceful = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
  if (!graceful) {
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(2_000)]);
  }
}

export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const binary = options.binary ?? requireTool(findPrometheusTool('prometheus'));
  const dir = await mkdtemp(join(tmpdir(), 'dify-exporter-prometheus-'));
  const configPath = join(dir, 'prometheus.yml');
  await writeFile(configPath, configYaml(options));
  const timeoutMs = options.startTimeoutMs ?? 30_000;

  // A free port can be taken between the check and the bind: try a few times.
  let started: Awaited<ReturnType<typeof startOnce>> | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    started = await startOnce(binary, dir, configPath, timeoutMs);
    if (started.error === undefined) break;
    await killAndWait(started.child);
    if (!/address already in use/.test(started.error)) break;
  }
  if (!started || started.error !== undefined) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(started?.error ?? 'prometheus did not start');
  }
  const { child, url } = started;

  let stopped: Promise<void> | undefined;
  const running: RunningPrometheus = {
    url,
    async query(expr, timeSeconds) {
      const params: Record<string, string> = { query: expr };
      if (timeSeconds !== undefined) params.time = String(timeSeconds);
      const data = await apiGet<{ resultType: string; result: unknown }>(url, '/api/v1/query', params);
      if (data.resultType === 'scalar') {
        const [, raw] = data.result as [number, string];
        return [{ metric: {}, value: parseValue(raw) }];
      }
      if (data.resultType !== 'vector') throw new Error(`query ${expr}: unexpected ${data.resultType} result`);
      return (data.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((s) => ({
        metric: s.metric,
        value: parseValue(s.value[1]),
      }));
    },
    async queryRange(expr, startSeconds, endSeconds, stepSeconds) {
      const data = await apiGet<{ result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> }>(
        url,
        '/api/v1/query_range',
        { query: expr, start: String(startSeconds), end: String(endSeconds), step: String(stepSeconds) },
      );
      return data.result.map((s) => ({ metric: s.metric, values: s.values.map(([t, v]) => [t, parseValue(v)]) }));
    },
    async labelValues(label, match) {
      return apiGet<string[]>(url, `/api/v1/label/${encodeURIComponent(label)}/values`, { 'match[]': match });
    },
    async queryExemplars(expr, startSeconds, endSeconds) {
      return apiGet(url, '/api/v1/query_exemplars', { query: expr, start: String(startSeconds), end: String(endSeconds) });
    },
    async alerts() {
      return (await apiGet<{ alerts: PromAlert[] }>(url, '/api/v1/alerts', {})).alerts;
    },
    async rules() {
      return (await apiGet<{ groups: Awaited<ReturnType<RunningPrometheus['rules']>> }>(url, '/api/v1/rules', {})).groups;
    },
    async waitFor(what, probe, waitMs) {
      const deadline = Date.now() + waitMs;
      let lastError: unknown;
      while (Date.now() < deadline) {
        try {
          const value = await probe();
          if (value !== undefined) return value;
        } catch (err) {
          lastError = err;
        }
        await sleep(200);
      }
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${waitMs} ms waiting for ${what}${cause}`);
    },
    stop() {
      stopped ??= (async () => {
        await killAndWait(child);
        await rm(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
  return running;
}
