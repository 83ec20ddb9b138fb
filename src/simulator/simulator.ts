/**
 * An in-memory Dify service API on loopback, faithful to shared/dify-api/BEHAVIOUR.md:
 * `GET /v1/`, `/v1/info`, `/v1/workflows/logs`, `/v1/workflows/run/{id}`, Dify's auth errors,
 * both log-row versions (row at start from 1.11, row at finish before), and faults on demand.
 * Built on node:http, with per-app sorted rows, so a listing page costs O(log n + limit).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../clock.js';
import { SimAppImpl, type SimApp } from './app.js';
import { infoReply, logsReply, rootReply, runDetailReply, type NotWorkflowAppAnswer } from './api.js';
import { FaultInjector, type ChosenFault } from './faults.js';
import { Prng } from './prng.js';
import { difyError, notFound, unauthorized, type Reply } from './reply.js';
import { RequestLog, type RecordedRequest, type RequestFilter } from './request-log.js';
import type { AppMode, AppState } from './types.js';

export type { SimApp, BacklogOptions } from './app.js';
export type { RunInit, RunOutcome, SimRunRecord, AppMode, AppState } from './types.js';
export type { FaultKind, FaultRule, FailureRate } from './faults.js';
export { FaultInjector } from './faults.js';
export type { RecordedRequest, RequestFilter } from './request-log.js';

export interface SimulatorOptions {
  /** Drives every created_at / finished_at. Default: the system clock. */
  clock?: Clock;
  /** Reported by `GET /v1/`. Before 1.11 log rows are written when a run finishes; from 1.11 at start. */
  serverVersion?: string;
  /** What a non-workflow app key gets from /workflows/logs: 200 empty list (1.11-1.16) or 400 not_workflow_app. */
  notWorkflowAppAnswer?: NotWorkflowAppAnswer;
  /** Seed for ids (run and row UUIDs); default: crypto.randomUUID. */
  seed?: number;
  /** How many recent requests `requests` keeps (default 10,000). */
  requestHistory?: number;
  /**
   * Late commits: each log row becomes visible up to this many ms after its created_at (random,
   * seeded), as when Dify's writing transaction commits after stamping the time. Default 0.
   */
  commitDelayMs?: number;
}

export interface AddAppOptions {
  apiKey: string;
  name: string;
  mode?: AppMode;
  state?: AppState;
  description?: string;
  authorName?: string;
}

/** True when `version` (x.y.z) is at least major.minor. Unparsable versions count as new. */
export function versionAtLeast(version: string, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return true;
  const [maj, min] = [Number(m[1]), Number(m[2])];
  return maj > major || (maj === major && min >= minor);
}

const HTML_502 = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
const HTML_503 = '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
const HTML_429 = '<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>\r\n<center><h1>429 Too Many Requests</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

function html(status: number, body: string, headers?: Record<string, string>): Reply {
  const reply: Reply = { status, body, contentType: 'text/html' };
  if (headers) reply.headers = headers;
  return reply;
}

/** The answer a fault gives instead of the real one (null for 'slow' and 'reset'). */
function faultReply(fault: ChosenFault): Reply | null {
  const retry = fault.retryAfterSeconds === undefined ? undefined : { 'retry-after': String(fault.retryAfterSeconds) };
  switch (fault.kind) {
    case 'http_500':
      return difyError(500, 'unknown', 'Internal Server Error');
    case 'http_502':
      return html(502, HTML_502);
    case 'http_503':
      return html(503, HTML_503, retry);
    case 'http_429':
      return html(429, HTML_429, { 'retry-after': String(fault.retryAfterSeconds ?? 1) });
    case 'http_401':
      return unauthorized('Access token is invalid');
    case 'http_403':
      return difyError(403, 'forbidden', "The app's status is abnormal.");
    case 'malformed_json':
      return { status: 200, body: '{"page": 1, "limit": 20, "total": 3, "has_more": false, "data": [{"id": "' };
    case 'wrong_shape':
      return { status: 200, body: '{"result": "success", "items": {"page": "1"}}' };
    case 'slow':
    case 'reset':
      return null;
  }
}

function bearerToken(header: string | undefined): { token: string | null; error: string | null } {
  if (header === undefined || !/\s/.test(header.trim())) {
    return { token: null, error: "Authorization header must be provided and start with 'Bearer'" };
  }
  const m = /^(\S+)\s+(.*)$/.exec(header.trim())!;
  if (m[1]!.toLowerCase() !== 'bearer') return { token: m[2]!, error: "Authorization scheme must be 'Bearer'" };
  return { token: m[2]!, error: null };
}

export class DifySimulator {
  readonly faults = new FaultInjector();
  readonly clock: Clock;
  /** Reported by GET /v1/. Changing it later models an upgrade's report only: apps keep how they write rows. */
  serverVersion: string;
  private readonly notWorkflowAppAnswer: NotWorkflowAppAnswer;
  private readonly apps = new Map<string, SimAppImpl>();
  private readonly log: RequestLog;
  private readonly newId: () => string;
  private readonly commitDelayMs: number;
  private readonly commitRandom: () => number;
  private server: Server | null = null;
  private closing: Promise<void> | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(opts: SimulatorOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.serverVersion = opts.serverVersion ?? '1.13.0';
    this.notWorkflowAppAnswer = opts.notWorkflowAppAnswer ?? 'empty';
    this.log = new RequestLog(opts.requestHistory ?? 10_000);
    this.commitDelayMs = opts.commitDelayMs ?? 0;
    const commitRng = new Prng((opts.seed ?? 1) ^ 0x5eed);
    this.commitRandom = () => commitRng.next();
    if (opts.seed === undefined) {
      this.newId = () => randomUUID();
    } else {
      const rng = new Prng(opts.seed);
      this.newId = () => rng.uuid();
    }
  }

  /** Log rows written at run start (Dify >= 1.11) rather than at finish. */
  get rowAtStart(): boolean {
    return versionAtLeast(this.serverVersion, 1, 11);
  }

  addApp(opts: AddAppOptions): SimApp {
    if (this.apps.has(opts.apiKey)) throw new Error(`simulator: an app already uses this API key (${opts.name})`);
    const app = new SimAppImpl(opts.name, opts.apiKey, opts.mode ?? 'workflow', opts.state ?? 'ok', {
      clock: this.clock,
      newId: this.newId,
      rowAtStart: this.rowAtStart,
      commitDelayMs: this.commitDelayMs,
      random: this.commitRandom,
    });
    if (opts.description !== undefined) app.description = opts.description;
    if (opts.authorName !== undefined) app.authorName = opts.authorName;
    this.apps.set(opts.apiKey, app);
    return app;
  }

  /** Revokes the app's key: requests with it get 401 from now on. */
  removeApp(apiKey: string): void {
    this.apps.delete(apiKey);
  }

  app(apiKey: string): SimApp | undefined {
    return this.apps.get(apiKey);
  }

  /** Recent requests, oldest first (bounded; see requestHistory). */
  get requests(): RecordedRequest[] {
    return this.log.recent;
  }

  /** Total requests ever received, optionally by exact API key and/or path prefix. */
  requestCount(filter?: RequestFilter): number {
    return this.log.count(filter);
  }

  resetRequests(): void {
    this.log.reset();
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server) throw new Error('simulator: already listening');
    const server = createServer({ keepAlive: true }, (req, res) => this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address() as AddressInfo;
    const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return `http://${shownHost}:${addr.port}/v1`;
  }

  /** Stops listening and drops every open connection. Safe to call more than once. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    const server = this.server;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (!server) {
      this.closing = Promise.resolve();
      return this.closing;
    }
    this.closing = new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return this.closing;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname;
    const { token, error: authError } = bearerToken(req.headers.authorization);
    const app = authError === null && token !== null ? this.apps.get(token) : undefined;
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      query: Object.fromEntries(url.searchParams),
      apiKey: token,
      authorized: app !== undefined,
      status: 0,
      fault: null,
    };
    this.log.record(record);
    // Drain any request body so keep-alive connections stay usable.
    req.resume();
    const fault = this.faults.take(path, token);
    if (fault) record.fault = fault.kind;
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'slow') {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.send(res, record, this.route(req.method ?? 'GET', path, url.searchParams, app, authError));
      }, fault.delayMs);
      this.timers.add(timer);
      return;
    }
    const reply = fault ? faultReply(fault) : null;
    this.send(res, record, reply ?? this.route(req.method ?? 'GET', path, url.searchParams, app, authError));
  }

  private route(
    method: string,
    path: string,
    params: URLSearchParams,
    app: SimAppImpl | undefined,
    authError: string | null,
  ): Reply {
    if (path === '/v1') return { status: 308, body: '', headers: { location: '/v1/' } };
    if (path === '/v1/') return method === 'GET' ? rootReply(this.serverVersion) : methodNotAllowed();
    let runId: string | null = null;
    if (path.startsWith(RUN_PREFIX)) {
      const rest = path.slice(RUN_PREFIX.length);
      if (rest === '' || rest.includes('/')) return notFound();
      runId = rest;
    } else if (path !== '/v1/info' && path !== '/v1/workflows/logs') {
      return notFound();
    }
    if (method !== 'GET') return methodNotAllowed();
    if (authError !== null) return unauthorized(authError);
    if (!app) return unauthorized('Access token is invalid');
    if (app.state === 'forbidden') return difyError(403, 'forbidden', "The app's status is abnormal.");
    if (path === '/v1/info') return infoReply(app);
    if (path === '/v1/workflows/logs') return logsReply(app, params, this.notWorkflowAppAnswer);
    return runDetailReply(app, safeDecode(runId ?? ''));
  }

  private send(res: ServerResponse, record: RecordedRequest, reply: Reply): void {
    record.status = reply.status;
    if (res.destroyed || res.writableEnded) return;
    const headers: Record<string, string | number> = {
      // The server's own clock, as a real Dify (or its proxy) reports it.
      date: new Date(this.clock.now()).toUTCString(),
      'content-type': reply.contentType ?? 'application/json',
      'content-length': Buffer.byteLength(reply.body),
      ...reply.headers,
    };
    res.writeHead(reply.status, headers);
    res.end(reply.body);
  }
}

const RUN_PREFIX = '/v1/workflows/run/';

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function methodNotAllowed(): Reply {
  return difyError(405, 'method_not_allowed', 'The method is not allowed for the requested URL.');
}
