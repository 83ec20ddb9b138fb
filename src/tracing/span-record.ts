/**
 * What the outbox keeps for one span: the run-derived fields, in plain JSON, so the state file can
 * persist spans the collector has not accepted yet and a restart sends them unchanged.
 * Records hold no SDK objects; the span is built from a record only when a batch is sent.
 */
import type { FinishedRun } from '../model/run.js';

/** The app a run belongs to, as the poller knows it. */
export interface TracedTarget {
  /** App name (config name or /v1/info name): the span name and `gen_ai.workflow.name`. */
  app: string;
  /** App mode from /v1/info (`workflow`, `advanced-chat`, ...). */
  mode: string;
  /** Per-target `service.name`; null means the tracing default. */
  serviceName: string | null;
  /** `service.version` of the resource (e.g. the Dify server version), when known. */
  serviceVersion?: string | null;
}

export interface SpanRecord {
  runId: string;
  /** Resolved `service.name`. */
  service: string;
  serviceVersion: string | null;
  app: string;
  mode: string;
  /** Dify's status string (`succeeded`, `failed`, ...; an unknown value kept as sent). */
  status: string;
  /** Run created_at, Unix seconds: the span start. */
  start: number;
  /** elapsed_time, seconds (fractional): the span duration. */
  elapsed: number;
  tokens: number;
  steps: number;
  exceptions: number;
  triggeredFrom: string;
  createdFrom: string;
  createdByRole: string;
  workflowVersion: string | null;
  /** Error message, already truncated to MAX_ERROR_LENGTH. */
  error: string | null;
  /** Present only when the config opts in to end-user attributes. */
  endUserId?: string;
  sessionId?: string;
}

/**
 * A record that keeps its run id as a packed UUID (model/uuid-words.ts) rather than a string, as
 * the outbox's records do: encoders can write the ids and the run id attribute from the words.
 */
export interface PackedRunId {
  /** The run id's words when it is a lowercase UUID; null when the id is kept as a string. */
  readonly runIdWords: Uint32Array | null;
}

/** The packed run id of a record that has one (see PackedRunId), else null. */
export function runIdWordsOf(r: SpanRecord): Uint32Array | null {
  return (r as Partial<PackedRunId>).runIdWords ?? null;
}

/** Longest error message a span carries (status message or attribute). */
export const MAX_ERROR_LENGTH = 1024;

export function truncateError(message: string): string {
  if (message.length <= MAX_ERROR_LENGTH) return message;
  let cut = message.slice(0, MAX_ERROR_LENGTH - 1);
  // Do not leave half of a surrogate pair at the end.
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  // A copy of its own: a slice of a string keeps the whole of it alive, and the message may be huge.
  return Buffer.from(`${cut}…`, 'utf8').toString('utf8');
}

export interface RecordOptions {
  defaultServiceName: string;
  includeEndUser: boolean;
}

/** A record with every field present (the same shape for all, as records that are refilled keep). */
export function emptySpanRecord(): SpanRecord {
  return {
    runId: '',
    service: '',
    serviceVersion: null,
    app: '',
    mode: '',
    status: '',
    start: 0,
    elapsed: 0,
    tokens: 0,
    steps: 0,
    exceptions: 0,
    triggeredFrom: '',
    createdFrom: '',
    createdByRole: '',
    workflowVersion: null,
    error: null,
    endUserId: undefined,
    sessionId: undefined,
  };
}

/** The record of a run's span: a new one, or `into` filled again. */
export function spanRecordFor(target: TracedTarget, run: FinishedRun, opts: RecordOptions, into?: SpanRecord): SpanRecord {
  const r = into ?? emptySpanRecord();
  r.runId = run.runId;
  r.service = target.serviceName ?? opts.defaultServiceName;
  r.serviceVersion = target.serviceVersion ?? null;
  r.app = target.app;
  r.mode = target.mode;
  r.status = run.rawStatus === '' ? run.status : run.rawStatus;
  r.start = run.runCreatedAt;
  r.elapsed = run.elapsedSeconds;
  r.tokens = run.totalTokens;
  r.steps = run.totalSteps;
  r.exceptions = run.exceptionsCount;
  r.triggeredFrom = run.triggeredFrom;
  r.createdFrom = run.createdFrom;
  r.createdByRole = run.createdByRole;
  r.workflowVersion = run.workflowVersion;
  r.error = run.error === null ? null : truncateError(run.error);
  r.endUserId = opts.includeEndUser && run.endUserId !== null ? run.endUserId : undefined;
  r.sessionId = opts.includeEndUser && run.sessionId !== null ? run.sessionId : undefined;
  return r;
}
