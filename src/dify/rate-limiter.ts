/** A token bucket: at most `perSecond` requests per second on average, bursts up to `burst`. */
import type { Clock } from '../clock.js';

export class RateLimiter {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly clock: Clock,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Resolves when a request may go; callers are served in order. */
  acquire(): Promise<void> {
    if (!(this.perSecond > 0)) return Promise.resolve();
    const next = this.queue.then(() => this.take());
    this.queue = next;
    return next;
  }

  private async take(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) / this.perSecond) * 1000));
    }
  }
}
