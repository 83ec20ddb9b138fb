/**
 * Spans the collector has not accepted yet, bounded. A record leaves the outbox only when an
 * export of it succeeds (or the collector rejects it for good); a failed batch goes back to the
 * front. Past the bound the oldest waiting record makes room for the new one.
 *
 * The outbox keeps its own record objects and reuses them once their spans are settled or
 * dropped: a catch-up keeps thousands of spans waiting for tenths of a second, long enough for a
 * record made per run to be promoted to the old generation and collected there, ~40 MB per
 * 200,000 runs. Records keep interned copies of the strings spans repeat (workflow versions,
 * errors), not the strings each page was parsed into.
 */
import { RingBuffer } from './ring-buffer.js';
import { emptySpanRecord, type SpanRecord } from './span-record.js';
import { StringInterner } from './string-interner.js';

export class Outbox {
  private readonly pending: RingBuffer<SpanRecord>;
  private readonly inFlight = new Set<SpanRecord[]>();
  private inFlightCount = 0;
  /** Records of settled and dropped spans, for the next ones (never more than the bound made). */
  private readonly spare: SpanRecord[] = [];
  private readonly strings = new StringInterner();

  constructor(readonly bound: number) {
    this.pending = new RingBuffer(bound);
  }

  /** Every record not accepted yet, in flight or waiting. */
  get size(): number {
    return this.pending.size + this.inFlightCount;
  }

  /** Records waiting to be sent (not in flight). */
  get waiting(): number {
    return this.pending.size;
  }

  /**
   * Adds a copy of a record (the caller may reuse its own). Returns true when a span was dropped to
   * make room: the oldest waiting one, or the new one itself when everything held is in flight.
   */
  add(record: SpanRecord): boolean {
    if (this.size < this.bound) {
      this.pending.push(this.copy(record, this.spare.pop() ?? emptySpanRecord()));
      return false;
    }
    const oldest = this.pending.shift();
    if (oldest === undefined) return true;
    this.pending.push(this.copy(record, oldest));
    return true;
  }

  /** Moves up to n waiting records, oldest first, into a batch in flight (read it until it is settled or given back). */
  take(n: number): SpanRecord[] {
    const batch = this.pending.takeFront(n);
    if (batch.length > 0) {
      this.inFlight.add(batch);
      this.inFlightCount += batch.length;
    }
    return batch;
  }

  /** The collector accepted (or finally rejected) the batch: forget it. */
  settle(batch: SpanRecord[]): void {
    if (!this.inFlight.delete(batch)) return;
    this.inFlightCount -= batch.length;
    for (const record of batch) this.spare.push(forget(record));
  }

  /** The export failed: the batch waits again, in front of newer records. */
  giveBack(batch: SpanRecord[]): void {
    if (!this.inFlight.delete(batch)) return;
    this.inFlightCount -= batch.length;
    this.pending.unshiftAll(batch);
  }

  /** Copies of every record not accepted yet, oldest first (in-flight batches, then waiting records). */
  records(): SpanRecord[] {
    const out: SpanRecord[] = [];
    for (const batch of this.inFlight) for (const record of batch) out.push(copyOf(record));
    for (const record of this.pending.toArray()) out.push(copyOf(record));
    return out;
  }

  private copy(from: SpanRecord, to: SpanRecord): SpanRecord {
    to.runId = from.runId;
    to.service = from.service;
    to.serviceVersion = from.serviceVersion;
    to.app = from.app;
    to.mode = from.mode;
    to.status = from.status;
    to.start = from.start;
    to.elapsed = from.elapsed;
    to.tokens = from.tokens;
    to.steps = from.steps;
    to.exceptions = from.exceptions;
    to.triggeredFrom = from.triggeredFrom;
    to.createdFrom = from.createdFrom;
    to.createdByRole = from.createdByRole;
    to.workflowVersion = from.workflowVersion === null ? null : this.strings.intern(from.workflowVersion);
    to.error = from.error === null ? null : this.strings.intern(from.error);
    to.endUserId = from.endUserId;
    to.sessionId = from.sessionId;
    return to;
  }
}

/** A spare record lets go of the strings of the span it held. */
function forget(r: SpanRecord): SpanRecord {
  r.runId = '';
  r.workflowVersion = null;
  r.error = null;
  r.endUserId = undefined;
  r.sessionId = undefined;
  return r;
}

/** A copy for outside the outbox, without the end-user fields it does not have. */
function copyOf(r: SpanRecord): SpanRecord {
  const { endUserId, sessionId, ...rest } = r;
  const record: SpanRecord = { ...rest };
  if (endUserId !== undefined) record.endUserId = endUserId;
  if (sessionId !== undefined) record.sessionId = sessionId;
  return record;
}
