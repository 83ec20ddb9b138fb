/**
 * Deterministic span identity: a run's trace id is its UUID, so a re-sent span is the same span
 * and anyone can find a run's trace from the id Dify shows. Shared with the metrics exemplars.
 */
import * as crypto from 'node:crypto';

const TRACE_ID = /^[0-9a-f]{32}$/;
/** Dify's run ids: lowercase UUIDs, the common case, checked without building intermediate strings. */
const LOWER_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/** One-shot crypto.hash (Node >= 20.12) is about twice as fast as createHash for short inputs. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

function sha256Hex(text: string): string {
  return oneShotHash ? oneShotHash('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex');
}

/**
 * The trace id of a run: its UUID without dashes, lowercased (32 hex digits). A run id that is not
 * a UUID (never seen from Dify, but the wire is not ours) gets a stable hash instead, so the id is
 * always valid for W3C and OTLP.
 */
export function traceIdForRun(runId: string): string {
  if (LOWER_UUID.test(runId)) {
    const hex = runId.slice(0, 8) + runId.slice(9, 13) + runId.slice(14, 18) + runId.slice(19, 23) + runId.slice(24);
    if (hex !== ZERO_TRACE_ID) return hex;
  }
  const hex = runId.replaceAll('-', '').toLowerCase();
  if (TRACE_ID.test(hex) && hex !== ZERO_TRACE_ID) return hex;
  const hashed = sha256Hex(`dify-exporter trace ${runId}`).slice(0, 32);
  return hashed === ZERO_TRACE_ID ? `${hashed.slice(0, 31)}1` : hashed;
}

/** The span id of a run's span: the first 16 hex digits of sha256(trace id), never all zeros. */
export function spanIdForTrace(traceId: string): string {
  const id = sha256Hex(traceId).slice(0, 16);
  return id === ZERO_SPAN_ID ? '0000000000000001' : id;
}
