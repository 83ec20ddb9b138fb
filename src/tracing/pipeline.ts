/**
 * Delivers run spans to an exporter through the outbox: batches of up to maxBatchSize, sent when a
 * batch is full or the flush timer fires; a failed batch stays in the outbox and is retried with
 * backoff; past the outbox bound the oldest spans are dropped, counted and warned about once.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { FinishedRun } from '../model/run.js';
import type { SpanDeliveryMetrics } from './delivery-metrics.js';
import type { SpanRecordExporter } from './otlp/http-exporter.js';
import { Outbox } from './outbox.js';
import { isRejection } from './rejection.js';
import { parseSpanRecord } from './span-record-json.js';
import { emptySpanRecord, spanRecordFor, type SpanRecord, type TracedTarget } from './span-record.js';
import { withDeadline, type CancelTimer, type Timers } from '../timers.js';
import type { RunTracer } from './run-tracer.js';

export type TracingLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export interface PipelineOptions {
  exporter: SpanRecordExporter;
  maxOutboxSpans: number;
  maxBatchSize: number;
  defaultServiceName: string;
  includeEndUser: boolean;
  logger: TracingLogger;
  metrics: SpanDeliveryMetrics;
  timers: Timers;
  clock: Clock;
  /** How long a partial batch waits before it is sent. */
  flushIntervalMillis: number;
  maxConcurrentExports: number;
  /** First retry delay after a failed export; doubles up to maxBackoffMillis. */
  initialBackoffMillis: number;
  maxBackoffMillis: number;
  /** How long shutdown() waits for the last exports. */
  shutdownTimeoutMillis: number;
}

/** Upper bound on settle rounds in idle(): each round settles at least one export. */
const MAX_IDLE_ROUNDS = 100_000;

export class SpanPipeline implements RunTracer {
  private readonly outbox: Outbox;
  private readonly exports = new Set<Promise<void>>();
  private readonly batchSize: number;
  private started = false;
  private stopped = false;
  /** Send partial batches until the outbox is empty (set by the flush timer, a retry, a flush). */
  private draining = false;
  private cancelFlush: CancelTimer | null = null;
  private cancelRetry: CancelTimer | null = null;
  private backoffMillis = 0;
  private outageSince: number | null = null;
  private warnedFull = false;
  private warnedRejected = false;
  private shutdownPromise: Promise<void> | null = null;
  private readonly scratch = emptySpanRecord();

  constructor(private readonly o: PipelineOptions) {
    this.outbox = new Outbox(o.maxOutboxSpans);
    // Catch-up reads on only while the outbox is under half full (spareCapacity): a larger batch
    // would wait for the flush timer there, and catch-up with it.
    this.batchSize = Math.max(1, Math.min(o.maxBatchSize, Math.floor(o.maxOutboxSpans / 2)));
  }

  record(target: TracedTarget, run: FinishedRun): void {
    // The outbox keeps a copy: one scratch record serves every run.
    this.add(spanRecordFor(target, run, this.o, this.scratch));
    this.o.metrics.queueSize(this.outbox.size);
    this.pump(false);
  }

  spareCapacity(): number {
    return Math.max(0, Math.floor(this.o.maxOutboxSpans / 2) - this.outbox.size);
  }

  snapshot(): SpanRecord[] {
    return this.outbox.records();
  }

  restore(records: readonly unknown[]): void {
    const known = new Set(this.outbox.records().map((r) => r.runId));
    let invalid = 0;
    for (const value of records) {
      const record = parseSpanRecord(value);
      if (record === null) {
        invalid++;
        continue;
      }
      if (known.has(record.runId)) continue;
      known.add(record.runId);
      if (!this.o.includeEndUser) {
        delete record.endUserId;
        delete record.sessionId;
      }
      this.add(record);
    }
    if (invalid > 0) this.o.logger.warn({ invalid }, 'span outbox: skipped records of an unknown shape in the state file');
    this.o.metrics.queueSize(this.outbox.size);
    this.pump(false);
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.draining = true;
    this.pump(true);
  }

  async forceFlush(): Promise<void> {
    if (this.stopped) return;
    this.started = true;
    this.cancelRetryTimer();
    this.draining = true;
    this.pump(true);
    await this.idle();
  }

  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.stop();
    return this.shutdownPromise;
  }

  /** Resolves when no export is in flight (tests use it after moving the manual timers). */
  async idle(): Promise<void> {
    for (let round = 0; round < MAX_IDLE_ROUNDS && this.exports.size > 0; round++) {
      await Promise.all(this.exports);
    }
  }

  private add(record: SpanRecord): void {
    if (!this.outbox.add(record)) return;
    this.o.metrics.dropped('outbox_full', 1);
    if (!this.warnedFull) {
      this.warnedFull = true;
      this.o.logger.warn(
        { maxOutboxSpans: this.o.maxOutboxSpans },
        'span outbox full: dropping the oldest spans until the collector accepts spans again',
      );
    }
  }

  /**
   * Sends what is due: full batches always; partial ones only while draining, and not straight
   * from record(), so a steady trickle of runs still goes out in batches.
   */
  private pump(partial: boolean): void {
    if (!this.started || this.stopped) return;
    while (this.cancelRetry === null && this.exports.size < this.o.maxConcurrentExports) {
      const waiting = this.outbox.waiting;
      if (waiting === 0) this.draining = false;
      if (waiting === 0 || (waiting < this.batchSize && !(partial && this.draining))) break;
      this.send(this.outbox.take(this.batchSize));
    }
    if (this.outbox.waiting > 0 && !this.draining && this.cancelFlush === null && this.cancelRetry === null) {
      this.cancelFlush = this.o.timers.after(this.o.flushIntervalMillis, () => {
        this.cancelFlush = null;
        this.draining = true;
        this.pump(true);
      });
    }
  }

  private send(batch: SpanRecord[]): void {
    const result = new Promise<ExportResult>((resolve) => {
      try {
        this.o.exporter.export(batch, resolve);
      } catch (error) {
        resolve({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
      }
    });
    const done: Promise<void> = result
      .then((r) => {
        this.exports.delete(done);
        this.settle(batch, r);
      })
      .catch((error: unknown) => {
        this.exports.delete(done);
        this.o.logger.error({ err: error }, 'span pipeline: unexpected error after an export');
      });
    this.exports.add(done);
  }

  private settle(batch: SpanRecord[], result: ExportResult): void {
    if (result.code === ExportResultCode.SUCCESS) this.accepted(batch);
    else if (isRejection(result.error)) this.rejected(batch, result.error);
    else this.failed(batch, result.error);
    this.o.metrics.queueSize(this.outbox.size);
    this.pump(true);
  }

  private accepted(batch: SpanRecord[]): void {
    this.outbox.settle(batch);
    this.o.metrics.exported(batch.length);
    this.backoffMillis = 0;
    this.warnedRejected = false;
    if (this.outbox.size < this.o.maxOutboxSpans / 2) this.warnedFull = false;
    if (this.outageSince !== null) {
      const seconds = Math.round((this.o.clock.now() - this.outageSince) / 1000);
      this.o.logger.info({ outageSeconds: seconds, waiting: this.outbox.size }, 'collector accepts spans again');
      this.outageSince = null;
    }
  }

  private rejected(batch: SpanRecord[], error: Error | undefined): void {
    this.outbox.settle(batch);
    this.o.metrics.dropped('rejected', batch.length);
    if (this.warnedRejected) return;
    this.warnedRejected = true;
    this.o.logger.error({ err: error, spans: batch.length }, 'collector rejected a batch of spans for good; dropped it');
  }

  private failed(batch: SpanRecord[], error: Error | undefined): void {
    this.outbox.giveBack(batch);
    this.draining = false;
    if (this.outageSince === null) {
      this.outageSince = this.o.clock.now();
      this.o.logger.warn(
        { err: error, waiting: this.outbox.size },
        'collector does not accept spans; keeping them in the outbox and retrying',
      );
    }
    if (this.cancelRetry !== null || this.stopped) return;
    this.backoffMillis = Math.min(this.o.maxBackoffMillis, this.backoffMillis === 0 ? this.o.initialBackoffMillis : this.backoffMillis * 2);
    this.cancelRetry = this.o.timers.after(this.backoffMillis, () => {
      this.cancelRetry = null;
      this.draining = true;
      this.pump(true);
    });
  }

  private cancelFlushTimer(): void {
    this.cancelFlush?.();
    this.cancelFlush = null;
  }

  private cancelRetryTimer(): void {
    this.cancelRetry?.();
    this.cancelRetry = null;
  }

  private async stop(): Promise<void> {
    const deadline = withDeadline(this.o.timers, this.o.shutdownTimeoutMillis);
    const outcome = await Promise.race([this.forceFlush().then(() => 'flushed' as const), deadline.expired]);
    deadline.cancel();
    this.stopped = true;
    this.cancelRetryTimer();
    this.cancelFlushTimer();
    if (this.outbox.size > 0) {
      this.o.logger.warn(
        { waiting: this.outbox.size, timedOut: outcome === 'timeout' },
        'spans not delivered at shutdown stay in the outbox (saved with the state)',
      );
    }
    const exporterDone = this.o.exporter.shutdown().catch(() => {});
    if (outcome === 'flushed') await exporterDone;
  }
}
