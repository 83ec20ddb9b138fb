/**
 * What the one span of a run says (name, times, attributes, status), from its outbox record, and
 * that span as an SDK ReadableSpan for the OTLP/JSON serializer. The OTLP/protobuf encoder
 * (otlp/trace-request-encoder.ts) writes the same content. No tracer or context is involved:
 * ids, times and status all come from the run.
 */
import { SpanKind, SpanStatusCode, TraceFlags, type Attributes, type HrTime, type SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { spanIdForTrace, traceIdForRun } from './ids.js';
import type { SpanRecord } from './span-record.js';

/** `error.type` of a failed run's span (Dify does not classify its errors). */
export const WORKFLOW_FAILED = 'workflow_failed';

const NANOS = 1e9;

/** Seconds (fractional) as HrTime, keeping sub-second precision. */
export function secondsToHrTime(seconds: number): HrTime {
  let whole = Math.floor(seconds);
  let nanos = Math.round((seconds - whole) * NANOS);
  if (nanos >= NANOS) {
    whole += 1;
    nanos -= NANOS;
  }
  return [whole, nanos];
}

function addHrTime(a: HrTime, b: HrTime): HrTime {
  const nanos = a[1] + b[1];
  return nanos >= NANOS ? [a[0] + b[0] + 1, nanos - NANOS] : [a[0] + b[0], nanos];
}

/**
 * String attributes whose value differs from run to run; every other string attribute takes one of
 * a few values per app (the protobuf encoder caches those, encoded).
 */
export const PER_RUN_STRING_ATTRIBUTES: ReadonlySet<string> = new Set([
  'dify.workflow.run_id',
  'dify.workflow.error',
  'dify.end_user.id',
  'dify.end_user.session_id',
]);

export function spanName(r: SpanRecord): string {
  return `invoke_workflow ${r.app}`;
}

/** Start and end of the span: created_at, and created_at plus elapsed_time. */
export function spanTimes(r: SpanRecord): { startTime: HrTime; endTime: HrTime; duration: HrTime } {
  const startTime = secondsToHrTime(r.start);
  const duration = secondsToHrTime(r.elapsed);
  return { startTime, endTime: addHrTime(startTime, duration), duration };
}

export function spanAttributes(r: SpanRecord): Attributes {
  const a: Attributes = {
    'gen_ai.operation.name': 'invoke_workflow',
    'gen_ai.workflow.name': r.app,
    'gen_ai.usage.total_tokens': r.tokens,
    'dify.app.name': r.app,
    'dify.app.mode': r.mode,
    'dify.workflow.run_id': r.runId,
    'dify.workflow.status': r.status,
    'dify.workflow.total_tokens': r.tokens,
    'dify.workflow.total_steps': r.steps,
    'dify.workflow.exceptions_count': r.exceptions,
    'dify.workflow.triggered_from': r.triggeredFrom,
    'dify.workflow.created_from': r.createdFrom,
    'dify.workflow.created_by_role': r.createdByRole,
  };
  if (r.workflowVersion !== null) a['dify.workflow.version'] = r.workflowVersion;
  if (r.status === 'failed') a['error.type'] = WORKFLOW_FAILED;
  // A failed run's message is the span status; a stopped run's ("stopped by user") stays visible here.
  else if (r.error !== null) a['dify.workflow.error'] = r.error;
  if (r.endUserId !== undefined) a['dify.end_user.id'] = r.endUserId;
  if (r.sessionId !== undefined) a['dify.end_user.session_id'] = r.sessionId;
  return a;
}

/**
 * ERROR only for `failed`: partial-succeeded runs completed (their handled node failures show in
 * `dify.workflow.exceptions_count`), stopped runs were stopped on purpose; both keep UNSET and
 * are told apart by `dify.workflow.status`.
 */
export function spanStatus(r: SpanRecord): SpanStatus {
  if (r.status !== 'failed') return { code: SpanStatusCode.UNSET };
  return { code: SpanStatusCode.ERROR, message: r.error ?? 'workflow run failed' };
}

export function toReadableSpan(r: SpanRecord, resource: Resource, scope: InstrumentationScope): ReadableSpan {
  const traceId = traceIdForRun(r.runId);
  const context = { traceId, spanId: spanIdForTrace(traceId), traceFlags: TraceFlags.SAMPLED };
  const { startTime, endTime, duration } = spanTimes(r);
  return {
    name: spanName(r),
    kind: SpanKind.INTERNAL,
    spanContext: () => context,
    startTime,
    endTime,
    duration,
    status: spanStatus(r),
    attributes: spanAttributes(r),
    links: [],
    events: [],
    ended: true,
    resource,
    instrumentationScope: scope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}
