/**
 * Timer scheduling injected into the span pipeline and the metric registry, so tests drive a
 * collector outage or a slow scraper by hand instead of sleeping. Real timers are unref'd: they
 * never keep the process alive.
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

/** A promise that resolves to 'timeout' after `ms`, unless cancelled first. */
export function withDeadline(timers: Timers, ms: number): { expired: Promise<'timeout'>; cancel: CancelTimer } {
  const holder: { cancel: CancelTimer } = { cancel: () => {} };
  const expired = new Promise<'timeout'>((resolve) => {
    holder.cancel = timers.after(ms, () => resolve('timeout'));
  });
  return { expired, cancel: () => holder.cancel() };
}
