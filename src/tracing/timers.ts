/**
 * Timer scheduling injected into the span pipeline, so tests drive a collector outage with a
 * manual clock instead of sleeping. Real timers are unref'd: they never keep the process alive.
 */
export type CancelTimer = () => void;

export interface Timers {
  /** Calls `fn` once after `ms` milliseconds; the returned function cancels it. */
  after(ms: number, fn: () => void): CancelTimer;
}

export const systemTimers: Timers = {
  after(ms, fn) {
    const handle = setTimeout(fn, ms);
    handle.unref();
    return () => clearTimeout(handle);
  },
};
