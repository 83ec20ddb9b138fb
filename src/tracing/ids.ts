/**
 * Deterministic span identity: a run's trace id is its UUID, so a re-sent span is the same span
 * and anyone can find a run's trace from the id Dify shows. Shared with the metrics exemplars.
 */
import * as crypto from 'node:crypto';

const TRACE_ID = /^[0-9a-f]{32}$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/** Dify's run ids are lowercase UUIDs: the common case, checked character by character. */
function isLowerUuid(id: string): boolean {
  if (id.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = id.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false; // '-'
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false; // 0-9, a-f
  }
  return true;
}

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
  if (isLowerUuid(runId)) {
    const hex = runId.slice(0, 8) + runId.slice(9, 13) + runId.slice(14, 18) + runId.slice(19, 23) + runId.slice(24);
    if (hex !== ZERO_TRACE_ID) return hex;
  }
  const hex = runId.replaceAll('-', '').toLowerCase();
  if (TRACE_ID.test(hex) && hex !== ZERO_TRACE_ID) return hex;
  const hashed = sha256Hex(`dify-exporter trace ${runId}`).slice(0, 32);
  return hashed === ZERO_TRACE_ID ? `${hashed.slice(0, 31)}1` : hashed;
}

/**
 * The span id of a run's span (the only span of its trace): the last 16 hex digits of the trace
 * id, or the first 16 when those are all zeros (a trace id never is all zeros). Random for the
 * UUIDs Dify gives its runs (v4 and v7 alike), and anyone can work it out from the run id.
 */
export function spanIdForTrace(traceId: string): string {
  const id = traceId.slice(16);
  return id === ZERO_SPAN_ID ? traceId.slice(0, 16) : id;
}

/** Value of a lowercase hex digit, or -1. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Hex digits of text[from, to) as bytes into out from `pos`; false at the first non-digit. */
function readHex(text: string, from: number, to: number, out: Uint8Array, pos: number): boolean {
  for (let i = from; i < to; i += 2) {
    const high = hexValue(text.charCodeAt(i));
    const low = hexValue(text.charCodeAt(i + 1));
    if (high < 0 || low < 0) return false;
    out[pos++] = (high << 4) | low;
  }
  return true;
}

/** A lowercase UUID's 16 bytes into `out`; false (out partly written) when `id` is not one. */
function readLowerUuid(id: string, out: Uint8Array): boolean {
  return (
    id.length === 36 &&
    id.charCodeAt(8) === 45 &&
    id.charCodeAt(13) === 45 &&
    id.charCodeAt(18) === 45 &&
    id.charCodeAt(23) === 45 &&
    readHex(id, 0, 8, out, 0) &&
    readHex(id, 9, 13, out, 4) &&
    readHex(id, 14, 18, out, 6) &&
    readHex(id, 19, 23, out, 8) &&
    readHex(id, 24, 36, out, 10)
  );
}

function allZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * The ids of a run's span as bytes, for encoders: the trace id (16 bytes) and the span id (8)
 * that traceIdForRun and spanIdForTrace give as hex, without building those strings for the
 * common lowercase UUID.
 */
export function writeSpanIds(runId: string, traceId: Uint8Array, spanId: Uint8Array): void {
  if (!readLowerUuid(runId, traceId) || allZero(traceId, 0, 16)) readHex(traceIdForRun(runId), 0, 32, traceId, 0);
  const from = allZero(traceId, 8, 16) ? 0 : 8;
  for (let i = 0; i < 8; i++) spanId[i] = traceId[from + i]!;
}
