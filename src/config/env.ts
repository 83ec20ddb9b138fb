/**
 * The environment's two roles besides `${VAR}`: a whole one-app configuration when there is no
 * file (DIFY_BASE_URL, DIFY_API_KEY, ...), and the standard OTEL_* variables, which fill the
 * tracing section where the file leaves it empty. Works on the raw (YAML-shaped) tree; the
 * schema validates the result like any file, and `provenance` lets messages name the variable.
 */
import type { Env } from './interpolate.js';
import type { Problem, Provenance } from './problems.js';

type Raw = Record<string, unknown>;

export interface EnvLayer {
  raw: unknown;
  problems: Problem[];
  provenance: Map<string, Provenance>;
}

/** Variables of the no-file mode: [variable, section (or the one target), key]. */
export const ENV_ONLY_VARIABLES = [
  ['DIFY_BASE_URL', 'targets[0]', 'base_url'],
  ['DIFY_API_KEY', 'targets[0]', 'api_key'],
  ['DIFY_APP_NAME', 'targets[0]', 'name'],
  ['DIFY_EXPORTER_LISTEN', 'server', 'listen'],
  ['DIFY_EXPORTER_STATE_PATH', 'state', 'path'],
  ['DIFY_EXPORTER_LOG_LEVEL', 'log', 'level'],
  ['DIFY_EXPORTER_POLL_INTERVAL', 'poll', 'interval'],
] as const;

export function hasEnvOnlyConfig(env: Env): boolean {
  return env.DIFY_BASE_URL !== undefined || env.DIFY_API_KEY !== undefined;
}

/** One target from DIFY_BASE_URL + DIFY_API_KEY (+ optional name and exporter settings). */
export function configFromEnv(env: Env): EnvLayer {
  const layer: EnvLayer = { raw: {}, problems: [], provenance: new Map() };
  for (const [variable, key] of [['DIFY_BASE_URL', 'base_url'], ['DIFY_API_KEY', 'api_key']] as const) {
    if (env[variable] !== undefined) continue;
    layer.problems.push({ path: ['targets', 0, key], text: `${variable}: missing (without a config file, set DIFY_BASE_URL and DIFY_API_KEY)` });
  }
  const sections: Record<string, Raw> = {};
  for (const [variable, section, key] of ENV_ONLY_VARIABLES) {
    const value = env[variable];
    if (value === undefined) continue;
    (sections[section] ??= {})[key] = value;
    layer.provenance.set(`${section}.${key}`, { kind: 'env', variable });
  }
  const { 'targets[0]': target = {}, ...rest } = sections;
  layer.raw = { ...rest, targets: [target] };
  return layer;
}

/** Fills tracing.endpoint, .headers, .protocol, .compression and .service_name from OTEL_* where the file leaves them empty. */
export function applyOtelEnv(raw: unknown, env: Env): EnvLayer {
  const layer: EnvLayer = { raw, problems: [], provenance: new Map() };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return layer; // the schema reports it
  const current = (raw as Raw).tracing;
  if (current !== undefined && current !== null && (typeof current !== 'object' || Array.isArray(current))) return layer; // the schema reports it
  const tracing: Raw = { ...((current as Raw | null) ?? {}) };
  const set = (key: string, value: unknown, variable: string) => {
    tracing[key] = value;
    layer.provenance.set(`tracing.${key}`, { kind: 'env', variable });
  };

  if (isEmpty(tracing.endpoint)) {
    const perSignal = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
    const base = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
    if (perSignal) set('endpoint', perSignal, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
    else if (base) set('endpoint', `${base.replace(/\/+$/, '')}/v1/traces`, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  }
  if (isEmpty(tracing.headers)) {
    for (const variable of ['OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'OTEL_EXPORTER_OTLP_HEADERS'] as const) {
      const value = nonEmpty(env[variable]);
      if (!value) continue;
      const parsed = parseOtelHeaders(value);
      if (typeof parsed === 'string') layer.problems.push({ path: ['tracing', 'headers'], text: `${variable}: ${parsed}` });
      else set('headers', parsed, variable);
      break;
    }
  }
  for (const [key, variables] of [
    ['protocol', ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']],
    ['compression', ['OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', 'OTEL_EXPORTER_OTLP_COMPRESSION']],
  ] as const) {
    if (!isEmpty(tracing[key])) continue;
    const variable = variables.find((v) => nonEmpty(env[v]));
    if (variable) set(key, nonEmpty(env[variable])!.toLowerCase(), variable);
  }
  if (isEmpty(tracing.service_name)) {
    const name = nonEmpty(env.OTEL_SERVICE_NAME);
    if (name) set('service_name', name, 'OTEL_SERVICE_NAME');
  }
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') set('endpoint', null, 'OTEL_SDK_DISABLED');

  if (layer.provenance.size > 0) layer.raw = { ...raw, tracing };
  return layer;
}

/**
 * `k=v,k2=v2` with percent-encoded keys and values (the OTLP exporter spec).
 * Returns the headers, or what is wrong without echoing the text (values are often tokens).
 */
export function parseOtelHeaders(text: string): Record<string, string> | string {
  const headers: Record<string, string> = {};
  const entries = text.split(',');
  for (const [index, entry] of entries.entries()) {
    if (entry.trim() === '') continue;
    const equals = entry.indexOf('=');
    if (equals <= 0) return `entry ${index + 1} is not key=value`;
    try {
      headers[decodeURIComponent(entry.slice(0, equals).trim())] = decodeURIComponent(entry.slice(equals + 1).trim());
    } catch {
      return `entry ${index + 1} is not valid percent-encoding`;
    }
  }
  return headers;
}

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value.trim() === '' ? null : value.trim();
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  return typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0;
}
