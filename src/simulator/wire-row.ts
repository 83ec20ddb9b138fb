/** Turns simulator runs into the JSON Dify sends (field order as Dify's marshalling emits it). */
import { toSeconds, type LogRow, type SimRun } from './run.js';

const ACCOUNT_NAME = 'Simulated Admin';
const ACCOUNT_EMAIL = 'admin@example.invalid';

function workflowRun(run: SimRun): Record<string, unknown> {
  const wr: Record<string, unknown> = {
    id: run.id,
    version: run.version,
    status: run.status,
  };
  if (run.triggeredFrom !== null) wr.triggered_from = run.triggeredFrom;
  wr.error = run.error;
  wr.elapsed_time = run.elapsedSeconds;
  wr.total_tokens = run.totalTokens;
  wr.total_steps = run.totalSteps;
  wr.created_at = toSeconds(run.createdMicros);
  wr.finished_at = run.finishedMicros === null ? null : toSeconds(run.finishedMicros);
  wr.exceptions_count = run.exceptionsCount;
  return wr;
}

/** One listing row. `runHidden` renders `workflow_run: null` (row saved before its run row). */
export function wireLogRow(row: LogRow, runHidden: boolean): Record<string, unknown> {
  const run = row.run;
  const isUser = run.createdByRole === 'end_user';
  return {
    id: row.id,
    workflow_run: runHidden ? null : workflowRun(run),
    created_from: run.createdFrom,
    created_by_role: run.createdByRole,
    created_by_account:
      !isUser && run.accountId !== null ? { id: run.accountId, name: ACCOUNT_NAME, email: ACCOUNT_EMAIL } : null,
    created_by_end_user:
      isUser && run.endUserId !== null
        ? {
            id: run.endUserId,
            type: run.createdFrom === 'web-app' ? 'browser' : 'service_api',
            is_anonymous: false,
            session_id: run.sessionId,
          }
        : null,
    created_at: toSeconds(row.micros),
    details: null,
  };
}

/** `GET /v1/workflows/run/{id}`. */
export function wireRunDetail(run: SimRun, workflowId: string): Record<string, unknown> {
  return {
    id: run.id,
    workflow_id: workflowId,
    status: run.status,
    inputs: run.inputs,
    outputs: run.outputs ?? {},
    error: run.error,
    total_steps: run.totalSteps,
    total_tokens: run.totalTokens,
    created_at: toSeconds(run.createdMicros),
    finished_at: run.finishedMicros === null ? null : toSeconds(run.finishedMicros),
    elapsed_time: run.elapsedSeconds,
  };
}
