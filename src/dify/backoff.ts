/** Exponential backoff with full jitter; a server's Retry-After wins when it asks for longer. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** The longest Retry-After honoured within one poll; a longer wait is left to the next poll. */
export const MAX_RETRY_AFTER_MS = 120_000;

export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number,
  retryAfterSeconds: number | null,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  const asked = retryAfterSeconds !== null ? retryAfterSeconds * 1000 : 0;
  return Math.max(jittered, Math.min(asked, MAX_RETRY_AFTER_MS));
}

/** Retry-After as seconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim());
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, (at - nowMs) / 1000);
}
