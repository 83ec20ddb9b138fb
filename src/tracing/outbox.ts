/**
 * Spans the collector has not accepted yet, bounded. A record leaves the outbox only when an
 * export of it succeeds (or the collector rejects it for good); a failed batch goes back to the
 * front. Past the bound the oldest waiting record makes room for the new one.
 */
import { RingBuffer } from './ring-buffer.js';
import type { SpanRecord } from './span-record.js';

export class Outbox {
  private readonly pending: RingBuffer<SpanRecord>;
  private readonly inFlight = new Set<SpanRecord[]>();
  private inFlightCount = 0;

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
   * Adds a record. When the outbox is full, returns the record dropped to make room: the oldest
   * waiting one, or the new one itself when everything held is in flight.
   */
  add(record: SpanRecord): SpanRecord | null {
    if (this.size < this.bound) {
      this.pending.push(record);
      return null;
    }
    const oldest = this.pending.shift();
    if (oldest === undefined) return record;
    this.pending.push(record);
    return oldest;
  }

  /** Moves up to n waiting records, oldest first, into a batch in flight. */
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
    if (this.inFlight.delete(batch)) this.inFlightCount -= batch.length;
  }

  /** The export failed: the batch waits again, in front of newer records. */
  giveBack(batch: SpanRecord[]): void {
    if (!this.inFlight.delete(batch)) return;
    this.inFlightCount -= batch.length;
    this.pending.unshiftAll(batch);
  }

  /** Every record not accepted yet, oldest first (in-flight batches, then waiting records). */
  records(): SpanRecord[] {
    const out: SpanRecord[] = [];
    for (const batch of this.inFlight) for (const record of batch) out.push(record);
    for (const record of this.pending.toArray()) out.push(record);
    return out;
  }
}
