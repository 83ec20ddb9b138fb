/** The simulator's mutable record of one workflow run and its log row. */
import type { SimRunRecord } from './types.js';

export interface SimRun {
  id: string;
  status: string;
  /** Run created_at, microseconds since the epoch. */
  createdMicros: number;
  finishedMicros: number | null;
  elapsedSeconds: number;
  totalTokens: number;
  totalSteps: number;
  exceptionsCount: number;
  error: string | null;
  triggeredFrom: string | null;
  createdFrom: string;
  createdByRole: 'account' | 'end_user';
  endUserId: string | null;
  accountId: string | null;
  sessionId: string | null;
  version: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | null;
  /** Lower-cased Python-json text of inputs/outputs, as Dify stores and ILIKE-searches it (built lazily). */
  inputsText: string | null;
  outputsText: string | null;
  /** The log row, once Dify has written it. */
  row: LogRow | null;
  /** The row shows `workflow_run: null` in this many more listing responses. */
  nullFor: number;
}

export interface LogRow {
  id: string;
  /** Log row created_at, microseconds since the epoch (what filters and ordering compare). */
  micros: number;
  run: SimRun;
}

export const IN_PROGRESS = new Set(['running', 'paused']);

export function isFinished(run: SimRun): boolean {
  return !IN_PROGRESS.has(run.status);
}

const toSeconds = (micros: number): number => Math.floor(micros / 1e6);

export function toRecord(run: SimRun): SimRunRecord {
  const row = run.row;
  const rowMicros = row ? row.micros : run.createdMicros;
  return {
    logId: row ? row.id : '',
    runId: run.id,
    status: run.status,
    createdAt: toSeconds(rowMicros),
    createdAtMicros: rowMicros,
    runCreatedAt: toSeconds(run.createdMicros),
    finishedAt: run.finishedMicros === null ? null : toSeconds(run.finishedMicros),
    elapsedSeconds: run.elapsedSeconds,
    totalTokens: run.totalTokens,
    totalSteps: run.totalSteps,
    exceptionsCount: run.exceptionsCount,
    triggeredFrom: run.triggeredFrom,
    createdFrom: run.createdFrom,
    createdByRole: run.createdByRole,
    version: run.version,
    error: run.error,
    endUserId: run.endUserId,
    sessionId: run.sessionId,
  };
}

export { toSeconds };
