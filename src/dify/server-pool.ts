/**
 * One keep-alive connection pool and one request-rate budget per Dify server (origin), shared by
 * every target (app key) on that server.
 */
import { Pool } from 'undici';
import { systemClock } from '../clock.js';
import { RateLimiter } from './rate-limiter.js';
import { abortableSleep } from './sleep.js';

export interface ServerOptions {
  timeoutMs: number;
  maxConnections: number;
  /** 0 = no limit. */
  requestsPerSecond: number;
}

export class DifyServer {
  readonly pool: Pool;
  readonly limiter: RateLimiter;
  constructor(
    readonly origin: string,
    readonly opts: ServerOptions,
  ) {
    this.pool = new Pool(origin, {
      connections: opts.maxConnections,
      keepAliveTimeout: 30_000,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connectTimeout: Math.min(opts.timeoutMs, 10_000),
    });
    const rps = opts.requestsPerSecond;
    // Pacing is about real seconds on the wire, so it runs on the system clock even when the
    // rest of the exporter runs on an injected one.
    this.limiter = new RateLimiter(rps, Math.max(1, Math.ceil(rps)), systemClock, (ms) => abortableSleep(ms));
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

export class DifyServers {
  private readonly servers = new Map<string, DifyServer>();
  constructor(private readonly opts: ServerOptions) {}

  forBaseUrl(baseUrl: string): DifyServer {
    const origin = new URL(baseUrl).origin;
    let s = this.servers.get(origin);
    if (!s) {
      s = new DifyServer(origin, this.opts);
      this.servers.set(origin, s);
    }
    return s;
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.servers.values()].map((s) => s.close()));
    this.servers.clear();
  }
}
