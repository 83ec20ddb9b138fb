/**
 * Reads span records back from the state file. The file may come from another version or be
 * edited by hand: a record that does not have the expected shape is skipped, not trusted.
 */
import type { SpanRecord } from './span-record.js';

type Json = Record<string, unknown>;

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const stringOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';

const STRING_FIELDS = ['runId', 'service', 'app', 'mode', 'status', 'triggeredFrom', 'createdFrom', 'createdByRole'] as const;
const NUMBER_FIELDS = ['start', 'elapsed', 'tokens', 'steps', 'exceptions'] as const;
const NULLABLE_FIELDS = ['serviceVersion', 'workflowVersion', 'error'] as const;

/** The record, or null when `value` is not a span record. */
export function parseSpanRecord(value: unknown): SpanRecord | null {
  if (typeof value !== 'object' || value === null) return null;
  const o = value as Json;
  if (!STRING_FIELDS.every((k) => isString(o[k]))) return null;
  if (o.runId === '') return null;
  if (!NUMBER_FIELDS.every((k) => isNumber(o[k]))) return null;
  if (!NULLABLE_FIELDS.every((k) => stringOrNull(o[k] ?? null))) return null;
  if (o.endUserId !== undefined && !isString(o.endUserId)) return null;
  if (o.sessionId !== undefined && !isString(o.sessionId)) return null;
  const record: SpanRecord = {
    runId: o.runId as string,
    service: o.service as string,
    serviceVersion: (o.serviceVersion ?? null) as string | null,
    app: o.app as string,
    mode: o.mode as string,
    status: o.status as string,
    start: o.start as number,
    elapsed: o.elapsed as number,
    tokens: o.tokens as number,
    steps: o.steps as number,
    exceptions: o.exceptions as number,
    triggeredFrom: o.triggeredFrom as string,
    createdFrom: o.createdFrom as string,
    createdByRole: o.createdByRole as string,
    workflowVersion: (o.workflowVersion ?? null) as string | null,
    error: (o.error ?? null) as string | null,
  };
  if (isString(o.endUserId)) record.endUserId = o.endUserId;
  if (isString(o.sessionId)) record.sessionId = o.sessionId;
  return record;
}
