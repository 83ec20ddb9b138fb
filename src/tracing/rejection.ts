/**
 * Which export failures are final. The collector said the data itself is wrong (400, 413, 415,
 * 422): sending the same batch again cannot succeed, so it is dropped. Everything else (network,
 * timeouts, 429, 5xx, and also 401/403/404, which an operator fixes) is kept and retried.
 */
const FINAL_HTTP_CODES: ReadonlySet<number> = new Set([400, 413, 415, 422]);

/** True when the export error carries an HTTP status that retrying cannot fix. */
export function isRejection(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' && FINAL_HTTP_CODES.has(code);
}
