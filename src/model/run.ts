/**
 * The one mapping from a Dify log row (wire) to what the exporter reasons about.
 * Everything downstream (poller, metrics, tracing) sees only these types.
 */
import type { WireLogRow } from '../dify/wire.js';

export const FINAL_STATUSES = ['succeeded', 'failed', 'stopped', 'partial-succeeded'] as const;
export type FinalStatus = (typeof FINAL_STATUSES)[number];
/** Status label of a counted run: a final Dify status, or `unknown` for a value we do not know. */
export type RunStatus = FinalStatus | 'unknown';
export const RUN_STATUSES: readonly RunStatus[] = [...FINAL_STATUSES, 'unknown'];

export const IN_PROGRESS_STATUSES = ['running', 'paused'] as const;
export type InProgressStatus = (typeof IN_PROGRESS_STATUSES)[number];

/** Known values of `triggered_from`; anything else becomes `other`, a missing one `unknown`. */
export const TRIGGERED_FROM_VALUES = [
  'app-run',
  'debugging',
  'rag-pipeline-run',
  'rag-pipeline-debugging',
  'webhook',
  'schedule',
  'plugin',
] as const;
/** Known values of `created_from`; anything else becomes `other`, a missing one `unknown`. */
export const CREATED_FROM_VALUES = ['service-api', 'web-app', 'installed-app', 'openapi'] as const;
export const CREATED_BY_ROLE_VALUES = ['account', 'end_user'] as const;

/** A run in a final state: what gets counted, observed and turned into a span. */
export interface FinishedRun {
  /** Log row id (the de-duplication key). */
  logId: string;
  /** Workflow run id (a UUID; the span's trace id). */
  runId: string;
  status: RunStatus;
  /** The status string exactly as Dify sent it (differs from `status` only when unknown). */
  rawStatus: string;
  /** Log row created_at, Unix seconds. */
  createdAt: number;
  /** Run created_at, Unix seconds. */
  runCreatedAt: number;
  finishedAt: number | null;
  elapsedSeconds: number;
  totalTokens: number;
  totalSteps: number;
  exceptionsCount: number;
  /** Bounded label value (see TRIGGERED_FROM_VALUES). */
  triggeredFrom: string;
  /** Bounded label value (see CREATED_FROM_VALUES). */
  createdFrom: string;
  /** Bounded: account, end_user or unknown. */
  createdByRole: string;
  workflowVersion: string | null;
  error: string | null;
  endUserId: string | null;
  sessionId: string | null;
}

/** How one log row reads right now. */
export type RowView =
  | { kind: 'final'; run: FinishedRun }
  | { kind: 'in-progress'; logId: string; runId: string; createdAt: number; status: InProgressStatus }
  /**
   * Not countable yet, look again later: `workflow_run: null` (the run row is not saved yet;
   * runId null), or an undocumented status on a run with no finished_at (e.g. `scheduled`).
   */
  | { kind: 'incomplete'; logId: string; createdAt: number; runId: string | null };

export class BadRowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadRowError';
  }
}

/**
 * Each known value to our own copy of it: a run keeps that, not the string its page was parsed
 * into (which would otherwise live as long as the run's span waits in the outbox).
 */
function canonical<T extends string>(values: readonly T[]): ReadonlyMap<string, T> {
  return new Map(values.map((v) => [v, v]));
}

const finalStatuses = canonical(FINAL_STATUSES);
const inProgressStatuses = canonical(IN_PROGRESS_STATUSES);
const triggeredFromValues = canonical(TRIGGERED_FROM_VALUES);
const createdFromValues = canonical(CREATED_FROM_VALUES);
const roleValues = canonical(CREATED_BY_ROLE_VALUES);

function bounded(value: unknown, known: ReadonlyMap<string, string>): string {
  if (typeof value !== 'string' || value === '') return 'unknown';
  return known.get(value) ?? 'other';
}

/** A non-negative finite number, or 0; Dify sends null for counters of runs that never started. */
function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new BadRowError(`${field}: expected a non-empty string`);
  return value;
}

function requireSeconds(value: unknown, field: string): number {
  // Dify sends integer Unix seconds; numeric strings and ISO dates (a proxy or another version
  // re-serialising the row) are read too rather than losing the run.
  let seconds = typeof value === 'number' ? value : NaN;
  if (typeof value === 'string' && value.trim() !== '') {
    seconds = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : Date.parse(value) / 1000;
  }
  if (!Number.isFinite(seconds) || seconds < 0) throw new BadRowError(`${field}: expected Unix seconds`);
  // A millisecond value (13 digits) would be a different API: normalise it.
  return seconds > 1e11 ? Math.floor(seconds / 1000) : Math.floor(seconds);
}

/** A timestamp the run can be counted without: unreadable means absent. */
function optionalSeconds(value: unknown): number | null {
  if (value == null) return null;
  try {
    return requireSeconds(value, 'timestamp');
  } catch {
    return null;
  }
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A wire row's created_at (Unix s), or null when it has none that reads. */
export function rowCreatedAt(raw: unknown): number | null {
  return typeof raw === 'object' && raw !== null ? optionalSeconds((raw as WireLogRow).created_at) : null;
}

/** Maps one wire row. Throws BadRowError when the row lacks what identifies it. */
export function readRow(raw: unknown): RowView {
  if (typeof raw !== 'object' || raw === null) throw new BadRowError('row: expected an object');
  const row = raw as WireLogRow;
  const logId = requireString(row.id, 'id');
  const createdAt = requireSeconds(row.created_at, 'created_at');
  const wr = row.workflow_run;
  if (wr === null || wr === undefined) return { kind: 'incomplete', logId, createdAt, runId: null };
  if (typeof wr !== 'object') throw new BadRowError('workflow_run: expected an object or null');
  const runId = requireString(wr.id, 'workflow_run.id');
  const sentStatus = typeof wr.status === 'string' ? wr.status : '';
  const inProgress = inProgressStatuses.get(sentStatus);
  if (inProgress !== undefined) return { kind: 'in-progress', logId, runId, createdAt, status: inProgress };
  const final = finalStatuses.get(sentStatus);
  if (final === undefined && wr.finished_at == null) return { kind: 'incomplete', logId, createdAt, runId };
  const rawStatus = final ?? sentStatus;
  const endUser = row.created_by_end_user;
  const run: FinishedRun = {
    logId,
    runId,
    status: final ?? 'unknown',
    rawStatus,
    createdAt,
    runCreatedAt: optionalSeconds(wr.created_at) ?? createdAt,
    finishedAt: optionalSeconds(wr.finished_at),
    elapsedSeconds: count(wr.elapsed_time),
    totalTokens: Math.round(count(wr.total_tokens)),
    totalSteps: Math.round(count(wr.total_steps)),
    exceptionsCount: Math.round(count(wr.exceptions_count)),
    triggeredFrom: bounded(wr.triggered_from, triggeredFromValues),
    createdFrom: bounded(row.created_from, createdFromValues),
    createdByRole: bounded(row.created_by_role, roleValues),
    workflowVersion: optionalString(wr.version),
    error: optionalString(wr.error),
    endUserId: endUser && typeof endUser === 'object' ? optionalString(endUser.id) : null,
    sessionId: endUser && typeof endUser === 'object' ? optionalString(endUser.session_id) : null,
  };
  return { kind: 'final', run };
}
