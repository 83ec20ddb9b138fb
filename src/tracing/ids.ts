/**
 * Deterministic span identity: a run's trace id is its UUID, so a re-sent span is the same span
 * and anyone can find a run's trace from the id Dify shows. Shared with the metrics exemplars.
 */
import * as crypto from 'node:crypto';
import { packUuid } from '../model/uuid-words.js';

/** Scratch space for a packed run id. */
const words = new Uint32Array(4);

const TRACE_ID = /^[0-9a-f]{32}$/;
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
  if (packUuid(runId, words, 0)) {
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

/**
 * The trace id of a run (traceIdForRun) as four 32-bit words, the first hex digits first, into
 * `out`: without building its hex for the common lowercase UUID.
 */
export function traceWordsForRun(runId: string, out: Uint32Array): void {
  if (packUuid(runId, out, 0) && isTraceWords(out)) return;
  const hex = traceIdForRun(runId); // not a lowercase UUID, or the nil UUID (hashed)
  for (let i = 0; i < 4; i++) out[i] = Number.parseInt(hex.slice(8 * i, 8 * i + 8), 16);
}

/**
 * The ids of a run's span as bytes, for encoders: the trace id (16 bytes) and the span id (8)
 * that traceIdForRun and spanIdForTrace give as hex, without building those strings for the
 * common lowercase UUID.
 */
export function writeSpanIds(runId: string, traceId: Uint8Array, spanId: Uint8Array): void {
  traceWordsForRun(runId, words);
  writeSpanIdsOfTrace(words, traceId, spanId);
}

/** The run ids packUuid gives words for, except the nil UUID: their words are the trace id's. */
export function isTraceWords(runIdWords: Uint32Array): boolean {
  return runIdWords[0] !== 0 || runIdWords[1] !== 0 || runIdWords[2] !== 0 || runIdWords[3] !== 0;
}

/** writeSpanIds from the trace id's words (traceWordsForRun). */
export function writeSpanIdsOfTrace(traceWords: Uint32Array, traceId: Uint8Array, spanId: Uint8Array): void {
  for (let i = 0; i < 4; i++) {
    const w = traceWords[i] as number;
    traceId[4 * i] = w >>> 24;
    traceId[4 * i + 1] = (w >>> 16) & 255;
    traceId[4 * i + 2] = (w >>> 8) & 255;
    traceId[4 * i + 3] = w & 255;
  }
  const from = traceWords[2] === 0 && traceWords[3] === 0 ? 0 : 8;
  for (let i = 0; i < 8; i++) spanId[i] = traceId[from + i] as number;
}
