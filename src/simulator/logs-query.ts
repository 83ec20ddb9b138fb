/**
 * Validation of the `GET /v1/workflows/logs` query string, as Dify does it: page 1..99999,
 * limit 1..100 (default 20), status one of succeeded|failed|stopped, ISO 8601 bounds
 * (see isoParse.ts; an empty bound is ignored). A bad value is HTTP 400 `invalid_param`.
 */
import { isoParseMicros } from './iso-parse.js';

export interface LogsQuery {
  page: number;
  limit: number;
  status: 'succeeded' | 'failed' | 'stopped' | null;
  keyword: string | null;
  afterMicros: number | null;
  beforeMicros: number | null;
  sessionId: string | null;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const INT_RE = /^\s*[+-]?\d+\s*$/;
const STATUSES = new Set(['succeeded', 'failed', 'stopped']);

function intParam(params: URLSearchParams, name: string, def: number, min: number, max: number): number | string {
  const raw = params.get(name);
  if (raw === null) return def;
  if (!INT_RE.test(raw)) return `${name}: invalid literal for int() with base 10: '${raw}'`;
  const n = Number(raw);
  if (n < min || n > max) return `${name}: Invalid value ${n}, must be between ${min} and ${max}`;
  return n;
}

function dateParam(params: URLSearchParams, name: string): number | null | string {
  const raw = params.get(name);
  if (raw === null || raw === '') return null;
  const micros = isoParseMicros(raw);
  return micros === null ? `${name}: Invalid isoformat string: '${raw}'` : micros;
}

export function parseLogsQuery(params: URLSearchParams): Parsed<LogsQuery> {
  const page = intParam(params, 'page', 1, 1, 99999);
  if (typeof page === 'string') return { ok: false, message: page };
  const limit = intParam(params, 'limit', 20, 1, 100);
  if (typeof limit === 'string') return { ok: false, message: limit };
  const status = params.get('status');
  if (status !== null && !STATUSES.has(status)) {
    return { ok: false, message: `status: '${status}' is not a valid choice (succeeded, failed, stopped)` };
  }
  const after = dateParam(params, 'created_at__after');
  if (typeof after === 'string') return { ok: false, message: after };
  const before = dateParam(params, 'created_at__before');
  if (typeof before === 'string') return { ok: false, message: before };
  const keyword = params.get('keyword');
  const sessionId = params.get('created_by_end_user_session_id');
  return {
    ok: true,
    value: {
      page,
      limit,
      status: status as LogsQuery['status'],
      keyword: keyword === null || keyword === '' ? null : keyword,
      afterMicros: after,
      beforeMicros: before,
      sessionId: sessionId === null || sessionId === '' ? null : sessionId,
    },
  };
}
