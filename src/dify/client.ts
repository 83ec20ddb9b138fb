/**
 * The Dify service API as seen by one app key: retries with backoff on transient failures,
 * the server's rate budget, and errors mapped to a bounded reason. Never puts the key in a message.
 */
import { systemClock, type Clock } from '../clock.js';
import { backoffDelay, parseRetryAfter, type BackoffPolicy } from './backoff.js';
import { DifyApiError, reasonForStatus, transportError } from './errors.js';
import { DifyServer } from './server-pool.js';
import { bodyText, readBody } from './response-body.js';
import { abortableSleep } from './sleep.js';
import {
  appInfoSchema,
  errorBodySchema,
  logsPageSchema,
  serverRootSchema,
  type WireAppInfo,
  type WireLogsPage,
  type WireServerRoot,
} from './wire.js';

export type Endpoint = 'root' | 'info' | 'workflow_logs' | 'workflow_run';

export interface LogsQuery {
  page: number;
  limit: number;
  /** Inclusive lower bound on the log row's created_at, Unix seconds. */
  after?: number;
  /** Inclusive upper bound on the log row's created_at, Unix seconds. */
  before?: number;
  keyword?: string;
}

export interface DifyClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Shared pool and rate budget of the server; a private one is made from the fields below if absent. */
  server?: DifyServer;
  timeoutMs?: number;
  maxConnections?: number;
  requestsPerSecond?: number;
  maxRetries?: number;
  backoff?: BackoffPolicy;
  clock?: Clock;
  random?: () => number;
  /** Called once per HTTP exchange: endpoint and status code, or "error" when none came back. */
  onRequest?: (endpoint: Endpoint, code: string) => void;
}

/** `https://host` or `https://host/` means the service API at `/v1`. */
export function normaliseBaseUrl(baseUrl: string): URL {
  const u = new URL(baseUrl);
  let path = u.pathname.replace(/\/+$/, '');
  if (path === '') path = '/v1';
  u.pathname = path;
  return u;
}

export function isoSeconds(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A page of workflow logs fetched but not parsed yet (DifyClient.listLogsLater). */
export interface LogsPageLater {
  read(): Promise<WireLogsPage>;
}

function logsParams(q: LogsQuery): URLSearchParams {
  const params = new URLSearchParams({ page: String(q.page), limit: String(q.limit) });
  if (q.after !== undefined) params.set('created_at__after', isoSeconds(q.after));
  if (q.before !== undefined) params.set('created_at__before', isoSeconds(q.before));
  if (q.keyword !== undefined) params.set('keyword', q.keyword);
  return params;
}

function logsPage(body: unknown): WireLogsPage {
  const parsed = logsPageSchema.safeParse(body);
  if (!parsed.success) {
    throw new DifyApiError('bad_response', `GET /workflows/logs: unexpected body shape (${parsed.error.issues[0]?.path.join('.') || 'root'})`);
  }
  return parsed.data;
}

export class DifyClient {
  private readonly server: DifyServer;
  private readonly ownsServer: boolean;
  private readonly basePath: string;
  private readonly auth: string;
  private readonly maxRetries: number;
  private readonly backoff: BackoffPolicy;
  private readonly clock: Clock;
  private readonly random: () => number;
  /** Dify's clock as of the last response (its Date header, whole seconds), if it sent one. */
  serverTimeMs: number | null = null;

  constructor(private readonly opts: DifyClientOptions) {
    const url = normaliseBaseUrl(opts.baseUrl);
    this.basePath = url.pathname;
    this.ownsServer = !opts.server;
    this.server =
      opts.server ??
      new DifyServer(url.origin, {
        timeoutMs: opts.timeoutMs ?? 30_000,
        maxConnections: opts.maxConnections ?? 4,
        requestsPerSecond: opts.requestsPerSecond ?? 0,
      });
    this.auth = `Bearer ${opts.apiKey}`;
    this.maxRetries = opts.maxRetries ?? 4;
    this.backoff = opts.backoff ?? { baseMs: 500, maxMs: 30_000 };
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
  }

  async getServerRoot(signal?: AbortSignal): Promise<WireServerRoot> {
    return serverRootSchema.parse(await this.get('root', '/', undefined, signal, false));
  }

  async getAppInfo(signal?: AbortSignal): Promise<WireAppInfo> {
    const body = await this.get('info', '/info', undefined, signal);
    const parsed = appInfoSchema.safeParse(body);
    if (!parsed.success) throw new DifyApiError('bad_response', 'GET /info: unexpected body shape');
    return parsed.data;
  }

  async listLogs(q: LogsQuery, signal?: AbortSignal): Promise<WireLogsPage> {
    return this.fetchLogs(q, signal);
  }

  /**
   * A page of listLogs fetched now and parsed when it is read (once): its body waits as text, one
   * string rather than the many objects of a parsed page. Not as bytes: memory outside the heap
   * that held pages was given back only by full collections (~30 MB between two of them in a
   * catch-up), and V8 counts that memory towards starting the next one: 7 full collections per
   * 200,000 runs with bytes, 1 or 2 with text. A body that turns out not to be JSON is asked for
   * again (with the usual retries), as listLogs would have.
   */
  async listLogsLater(q: LogsQuery, signal?: AbortSignal): Promise<LogsPageLater> {
    let text: string | null = (await this.get('workflow_logs', '/workflows/logs', logsParams(q), signal, true, 'text')) as string;
    return {
      read: async () => {
        // Let go of the text once read: the caller may keep this object while it waits for room.
        const page = text ?? '';
        text = null;
        let body: unknown;
        try {
          body = JSON.parse(page);
        } catch {
          return this.fetchLogs(q, signal);
        }
        return logsPage(body);
      },
    };
  }

  /** listLogs itself; listLogsLater asks again through it, not through an override of listLogs. */
  private async fetchLogs(q: LogsQuery, signal?: AbortSignal): Promise<WireLogsPage> {
    return logsPage(await this.get('workflow_logs', '/workflows/logs', logsParams(q), signal));
  }

  async close(): Promise<void> {
    if (this.ownsServer) await this.server.close();
  }

  /** The parsed JSON body of a success (`json`), or its text unparsed (`text`). */
  private async get(
    endpoint: Endpoint,
    path: string,
    params: URLSearchParams | undefined,
    signal: AbortSignal | undefined,
    authenticated = true,
    body: 'json' | 'text' = 'json',
  ): Promise<unknown> {
    const fullPath = `${this.basePath}${path === '/' ? '/' : path}${params ? `?${params}` : ''}`;
    const what = `GET ${path}`;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(endpoint, fullPath, what, signal, authenticated, body);
      } catch (err) {
        const e = err instanceof DifyApiError ? err : transportError(err, what);
        if (signal?.aborted || !e.retryable || attempt >= this.maxRetries) throw e;
        await abortableSleep(backoffDelay(attempt, this.backoff, this.random, e.retryAfterSeconds), signal);
      }
    }
  }

  private async once(
    endpoint: Endpoint,
    path: string,
    what: string,
    signal: AbortSignal | undefined,
    authenticated: boolean,
    bodyAs: 'json' | 'text',
  ): Promise<unknown> {
    await this.server.limiter.acquire();
    let res;
    try {
      res = await this.server.pool.request({
        method: 'GET',
        path,
        headers: authenticated ? { authorization: this.auth, accept: 'application/json' } : { accept: 'application/json' },
        signal,
      });
    } catch (err) {
      this.opts.onRequest?.(endpoint, 'error');
      throw transportError(err, what);
    }
    this.opts.onRequest?.(endpoint, String(res.statusCode));
    const date = res.headers.date;
    if (typeof date === 'string') {
      const t = Date.parse(date);
      if (!Number.isNaN(t)) this.serverTimeMs = t;
    }
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    let bytes: Buffer;
    try {
      bytes = await readBody(res.body);
    } catch (err) {
      throw transportError(err, what);
    }
    const text = bodyText(bytes);
    if (ok && bodyAs === 'text') return text;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      if (ok) throw new DifyApiError('bad_response', `${what}: response is not JSON`, res.statusCode);
    }
    if (ok) return body;
    const err = errorBodySchema.safeParse(body);
    const code = err.success ? err.data.code : undefined;
    const detail = err.success ? `${err.data.code}${err.data.message ? ` (${err.data.message.slice(0, 200)})` : ''}` : 'no error body';
    throw new DifyApiError(
      reasonForStatus(res.statusCode, code),
      `${what}: ${res.statusCode} ${detail}`,
      res.statusCode,
      parseRetryAfter(res.headers['retry-after'], this.clock.now()),
    );
  }
}
