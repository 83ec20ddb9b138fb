/** Timers that fire only when the test moves time forward (with the ManualClock they share). */
import { ManualClock } from '../src/clock.js';
import type { CancelTimer, Timers } from '../src/timers.js';

interface Entry {
  due: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class ManualTimers implements Timers {
  private entries: Entry[] = [];
  private seq = 0;

  constructor(readonly clock: ManualClock = new ManualClock(1_700_000_000_000)) {}

  after(ms: number, fn: () => void): CancelTimer {
    const entry: Entry = { due: this.clock.now() + ms, seq: this.seq++, fn, cancelled: false };
    this.entries.push(entry);
    return () => {
      entry.cancelled = true;
    };
  }

  /** Timers armed and not fired or cancelled yet. */
  get armed(): number {
    return this.entries.filter((e) => !e.cancelled).length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.clock.now() + ms;
    for (let fired = 0; fired < 10_000; fired++) {
      this.entries = this.entries.filter((e) => !e.cancelled);
      const next = this.entries.filter((e) => e.due <= end).sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (next === undefined) break;
      next.cancelled = true;
      this.clock.set(Math.max(this.clock.now(), next.due));
      next.fn();
    }
    this.clock.set(end);
  }
}
