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

/** Seconds (fractional) as whole seconds and nanoseconds, into out[at] and out[at + 1]. */
function splitSeconds(seconds: number, out: Float64Array, at: number): void {
  let whole = Math.floor(seconds);
  let nanos = Math.round((seconds - whole) * NANOS);
  if (nanos >= NANOS) {
    whole += 1;
    nanos -= NANOS;
  }
  out[at] = whole;
  out[at + 1] = nanos;
}

/**
 * Start, end and duration of the span as whole seconds and nanoseconds, into `out`: [start s,
 * start ns, end s, end ns, duration s, duration ns]. Start is created_at, end created_at plus
 * elapsed_time. For encoders: no arrays per span.
 */
export function spanTimeParts(r: SpanRecord, out: Float64Array): void {
  splitSeconds(r.start, out, 0);
  splitSeconds(r.elapsed, out, 4);
  const nanos = (out[1] as number) + (out[5] as number);
  const carry = nanos >= NANOS ? 1 : 0;
  out[2] = (out[0] as number) + (out[4] as number) + carry;
  out[3] = nanos - carry * NANOS;
}

export function spanName(r: SpanRecord): string {
  return `invoke_workflow ${r.app}`;
}

/** Start, end and duration of the span as HrTimes (see spanTimeParts). */
export function spanTimes(r: SpanRecord): { startTime: HrTime; endTime: HrTime; duration: HrTime } {
  const t = new Float64Array(6);
  spanTimeParts(r, t);
  return { startTime: [t[0] as number, t[1] as number], endTime: [t[2] as number, t[3] as number], duration: [t[4] as number, t[5] as number] };
}

/** The attribute that carries the run id (encoders may write it from a packed run id). */
export const RUN_ID_ATTRIBUTE = 'dify.workflow.run_id';

/** One attribute of a run's span: its key and how to read it from the record. */
export interface SpanAttribute {
  key: string;
  /**
   * True when the value differs from run to run; false when it takes one of a few values per app
   * (an encoder may keep those encoded).
   */
  perRun: boolean;
  /** The value, or undefined when the span does not carry this attribute. */
  value(r: SpanRecord): string | number | undefined;
}

/** Every attribute a run's span may carry, in the order they are written. */
export const SPAN_ATTRIBUTES: readonly SpanAttribute[] = [
  { key: 'gen_ai.operation.name', perRun: false, value: () => 'invoke_workflow' },
  { key: 'gen_ai.workflow.name', perRun: false, value: (r) => r.app },
  { key: 'gen_ai.usage.total_tokens', perRun: true, value: (r) => r.tokens },
  { key: 'dify.app.name', perRun: false, value: (r) => r.app },
  { key: 'dify.app.mode', perRun: false, value: (r) => r.mode },
  { key: RUN_ID_ATTRIBUTE, perRun: true, value: (r) => r.runId },
  { key: 'dify.workflow.status', perRun: false, value: (r) => r.status },
  { key: 'dify.workflow.total_tokens', perRun: true, value: (r) => r.tokens },
  { key: 'dify.workflow.total_steps', perRun: true, value: (r) => r.steps },
  { key: 'dify.workflow.exceptions_count', perRun: true, value: (r) => r.exceptions },
  { key: 'dify.workflow.triggered_from', perRun: false, value: (r) => r.triggeredFrom },
  { key: 'dify.workflow.created_from', perRun: false, value: (r) => r.createdFrom },
  { key: 'dify.workflow.created_by_role', perRun: false, value: (r) => r.createdByRole },
  { key: 'dify.workflow.version', perRun: false, value: (r) => r.workflowVersion ?? undefined },
  { key: 'error.type', perRun: false, value: (r) => (r.status === 'failed' ? WORKFLOW_FAILED : undefined) },
  // A failed run's message is the span status; a stopped run's ("stopped by user") stays visible here.
  { key: 'dify.workflow.error', perRun: true, value: (r) => (r.status !== 'failed' && r.error !== null ? r.error : undefined) },
  { key: 'dify.end_user.id', perRun: true, value: (r) => r.endUserId },
  { key: 'dify.end_user.session_id', perRun: true, value: (r) => r.sessionId },
];

export function spanAttributes(r: SpanRecord): Attributes {
  const attributes: Attributes = {};
  for (const a of SPAN_ATTRIBUTES) {
    const value = a.value(r);
    if (value !== undefined) attributes[a.key] = value;
  }
  return attributes;
}

const UNSET_STATUS: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });

/**
 * ERROR only for `failed`: partial-succeeded runs completed (their handled node failures show in
 * `dify.workflow.exceptions_count`), stopped runs were stopped on purpose; both keep UNSET and
 * are told apart by `dify.workflow.status`.
 */
export function spanStatus(r: SpanRecord): SpanStatus {
  if (r.status !== 'failed') return UNSET_STATUS;
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
