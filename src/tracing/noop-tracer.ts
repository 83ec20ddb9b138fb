/** Tracing off (no endpoint configured): the same interface, so the poller never branches. */
import type { TracingLogger } from './pipeline.js';
import type { RunTracer } from './run-tracer.js';
import type { SpanRecord } from './span-record.js';

export class NoopRunTracer implements RunTracer {
  constructor(private readonly logger?: TracingLogger) {}

  record(): void {}

  spareCapacity(): number {
    return Infinity;
  }

  snapshot(): SpanRecord[] {
    return [];
  }

  restore(records: readonly unknown[]): void {
    if (records.length > 0) {
      this.logger?.info({ spans: records.length }, 'tracing is off: discarding spans left in the state file');
    }
  }

  start(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
