/**
 * Spans the collector has not accepted yet, bounded. A record leaves the outbox only when an
 * export of it succeeds (or the collector rejects it for good); a failed batch goes back to the
 * front. Past the bound the oldest waiting record makes room for the new one.
 *
 * The outbox keeps its own record objects and reuses them once their spans are settled or
 * dropped: a catch-up keeps thousands of spans waiting for tenths of a second, long enough for
 * what a record holds to be promoted to the old generation and collected there. So records are
 * made once, keep interned copies of the strings spans repeat (workflow versions, errors), and
 * keep a run id as 16 bytes rather than the string its page was parsed into; the encoder writes
 * the span's ids and run id text from those (PackedRunId).
 */
import { packUuid, unpackUuid } from '../model/uuid-words.js';
import { RingBuffer } from './ring-buffer.js';
import { emptySpanRecord, type PackedRunId, type SpanRecord } from './span-record.js';
import { StringInterner } from './string-interner.js';

/** A record of the outbox's own (see above): its run id packed when it is a lowercase UUID. */
class OutboxRecord implements SpanRecord, PackedRunId {
  runIdWords: Uint32Array | null = null;
  private readonly words = new Uint32Array(4);
  /** The run id when it is not packed. */
  private runIdText = '';
  service = '';
  serviceVersion: string | null = null;
  app = '';
  mode = '';
  status = '';
  start = 0;
  elapsed = 0;
  tokens = 0;
  steps = 0;
  exceptions = 0;
  triggeredFrom = '';
  createdFrom = '';
  createdByRole = '';
  workflowVersion: string | null = null;
  error: string | null = null;
  endUserId: string | undefined = undefined;
  sessionId: string | undefined = undefined;

  get runId(): string {
    return this.runIdWords === null ? this.runIdText : unpackUuid(this.runIdWords, 0);
  }

  set runId(id: string) {
    const packed = packUuid(id, this.words, 0);
    this.runIdWords = packed ? this.words : null;
    this.runIdText = packed ? '' : id;
  }
}

export class Outbox {
  private readonly pending: RingBuffer<OutboxRecord>;
  private readonly inFlight = new Set<SpanRecord[]>();
  private inFlightCount = 0;
  /** Records of settled and dropped spans, for the next ones (never more than the bound made). */
  private readonly spare: OutboxRecord[] = [];
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
      this.pending.push(this.copy(record, this.spare.pop() ?? new OutboxRecord()));
      return false;
    }
    const oldest = this.pending.shift();
    if (oldest === undefined) return true;
    this.pending.push(this.copy(record, oldest));
    return true;
  }

  /** Moves up to n waiting records, oldest first, into a batch in flight (read it until it is settled or given back). */
  take(n: number): OutboxRecord[] {
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
    // A batch is one that take() gave out: the outbox's own records.
    for (const record of batch) this.spare.push(forget(record as OutboxRecord));
  }

  /** The export failed: the batch waits again, in front of newer records. */
  giveBack(batch: SpanRecord[]): void {
    if (!this.inFlight.delete(batch)) return;
    this.inFlightCount -= batch.length;
    this.pending.unshiftAll(batch as OutboxRecord[]);
  }

  /** Copies of every record not accepted yet, oldest first (in-flight batches, then waiting records). */
  records(): SpanRecord[] {
    const out: SpanRecord[] = [];
    for (const batch of this.inFlight) for (const record of batch) out.push(copyOf(record));
    for (const record of this.pending.toArray()) out.push(copyOf(record));
    return out;
  }

  private copy(from: SpanRecord, to: OutboxRecord): OutboxRecord {
    copyFields(from, to);
    if (to.workflowVersion !== null) to.workflowVersion = this.strings.intern(to.workflowVersion);
    if (to.error !== null) to.error = this.strings.intern(to.error);
    return to;
  }
}

function copyFields(from: SpanRecord, to: SpanRecord): void {
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
  to.workflowVersion = from.workflowVersion;
  to.error = from.error;
  to.endUserId = from.endUserId;
  to.sessionId = from.sessionId;
}

/** A spare record lets go of the strings of the span it held. */
function forget(r: OutboxRecord): OutboxRecord {
  r.runId = '';
  r.workflowVersion = null;
  r.error = null;
  r.endUserId = undefined;
  r.sessionId = undefined;
  return r;
}

/** A plain copy for outside the outbox, without the end-user fields it does not have. */
function copyOf(r: SpanRecord): SpanRecord {
  const record = emptySpanRecord();
  copyFields(r, record);
  if (record.endUserId === undefined) delete record.endUserId;
  if (record.sessionId === undefined) delete record.sessionId;
  return record;
}
