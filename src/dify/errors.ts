/** Why a Dify API call failed, in the bounded vocabulary used by logs and metrics. */
export type DifyErrorReason =
  | 'auth'
  | 'forbidden'
  | 'rate_limited'
  | 'timeout'
  | 'network'
  | 'http_5xx'
  | 'bad_response'
  | 'not_workflow_app';

/** Reasons worth retrying within one call (the server or the path to it may recover in seconds). */
export const RETRYABLE: ReadonlySet<DifyErrorReason> = new Set(['rate_limited', 'timeout', 'network', 'http_5xx', 'bad_response']);

export class DifyApiError extends Error {
  /** Worth trying again within the same call: transient by reason, and not a refused request (4xx). */
  readonly retryable: boolean;
  constructor(
    readonly reason: DifyErrorReason,
    message: string,
    readonly httpStatus: number | null = null,
    /** Seconds the server asked us to wait (Retry-After), when it said. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'DifyApiError';
    const refused = httpStatus !== null && httpStatus >= 400 && httpStatus < 500 && httpStatus !== 429;
    this.retryable = RETRYABLE.has(reason) && !refused;
  }
}

export function reasonForStatus(status: number, code: string | undefined): DifyErrorReason {
  if (status === 401) return 'auth';
  if (status === 403) return 'forbidden';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'http_5xx';
  if (code === 'not_workflow_app') return 'not_workflow_app';
  return 'bad_response';
}

/** undici error codes for time-outs; every other transport failure is a network error. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

export function transportError(err: unknown, what: string): DifyApiError {
  const code = (err as { code?: string } | null)?.code ?? '';
  if (TIMEOUT_CODES.has(code) || (err as Error | null)?.name === 'TimeoutError') {
    return new DifyApiError('timeout', `${what}: timed out (${code || 'timeout'})`);
  }
  return new DifyApiError('network', `${what}: ${code || (err as Error | null)?.message || 'network error'}`);
}
