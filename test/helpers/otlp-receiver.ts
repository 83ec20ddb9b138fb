/**
 * A real OTLP/HTTP trace receiver on 127.0.0.1 for tests: accepts POST /v1/traces in OTLP/JSON
 * (gzip too), decodes and keeps the spans, and can play a broken collector (503, 400, a request
 * that never answers, a reset connection, or no listener at all).
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  /** OTLP kind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Record<string, AttributeValue>;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string | undefined };
  resource: Record<string, AttributeValue>;
  scope: { name: string; version: string | undefined };
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** HTTP status answered, or 0 when the receiver hung or reset the connection. */
  answered: number;
  spans: number;
  /** The request body as received (after gzip), for "this never goes over the wire" checks. */
  body: string;
}

/** accept: 200; unavailable: 503; reject: 400; hang: never answers; reset: drops the connection. */
export type ReceiverMode = 'accept' | 'unavailable' | 'reject' | 'hang' | 'reset';

type Json = Record<string, unknown>;

function decodeValue(v: unknown): AttributeValue {
  const o = (v ?? {}) as Json;
  if ('stringValue' in o) return String(o.stringValue);
  if ('boolValue' in o) return Boolean(o.boolValue);
  if ('intValue' in o) return Number(o.intValue);
  if ('doubleValue' in o) return Number(o.doubleValue);
  if ('bytesValue' in o) return String(o.bytesValue);
  if ('arrayValue' in o) return (((o.arrayValue as Json).values ?? []) as unknown[]).map(decodeValue);
  if ('kvlistValue' in o) return decodeAttributes((o.kvlistValue as Json).values);
  return null;
}

function decodeAttributes(list: unknown): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kv of (list ?? []) as Json[]) out[String(kv.key)] = decodeValue(kv.value);
  return out;
}

/** Decodes an OTLP/JSON ExportTraceServiceRequest into flat spans. */
export function decodeTraces(body: unknown): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const rs of ((body as Json).resourceSpans ?? []) as Json[]) {
    const resource = decodeAttributes((rs.resource as Json | undefined)?.attributes);
    for (const ss of (rs.scopeSpans ?? []) as Json[]) {
      const scope = (ss.scope ?? {}) as Json;
      for (const s of (ss.spans ?? []) as Json[]) {
        const status = (s.status ?? {}) as Json;
        spans.push({
          traceId: String(s.traceId),
          spanId: String(s.spanId),
          parentSpanId: s.parentSpanId ? String(s.parentSpanId) : undefined,
          name: String(s.name),
          kind: Number(s.kind ?? 0),
          startTimeUnixNano: BigInt(s.startTimeUnixNano as string),
          endTimeUnixNano: BigInt(s.endTimeUnixNano as string),
          attributes: decodeAttributes(s.attributes),
          status: { code: Number(status.code ?? 0), message: status.message ? String(status.message) : undefined },
          resource,
          scope: { name: String(scope.name ?? ''), version: scope.version ? String(scope.version) : undefined },
        });
      }
    }
  }
  return spans;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
}

export class OtlpReceiver {
  mode: ReceiverMode = 'accept';
  private readonly received: ReceivedSpan[] = [];
  private readonly log: ReceivedRequest[] = [];
  private listening = false;

  private constructor(
    private readonly server: Server,
    private port: number,
  ) {}

  /** Starts listening on an ephemeral loopback port. */
  static async start(): Promise<OtlpReceiver> {
    const server = createServer();
    const receiver = new OtlpReceiver(server, 0);
    server.on('request', (req, res) => void receiver.handle(req, res));
    await receiver.up();
    return receiver;
  }

  /** Base URL (what a user puts in OTEL_EXPORTER_OTLP_ENDPOINT). */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get tracesUrl(): string {
    return `${this.url}/v1/traces`;
  }

  /** Every span accepted so far (only requests answered 200 count). */
  spans(): ReceivedSpan[] {
    return [...this.received];
  }

  requests(): ReceivedRequest[] {
    return [...this.log];
  }

  /** Stops listening and drops every connection: the collector is down (connection refused). */
  async down(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  /** Listens again, on the same port as before. */
  async up(): Promise<void> {
    if (this.listening) return;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.listening = true;
  }

  async close(): Promise<void> {
    await this.down();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const entry: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, answered: 0, spans: 0, body: '' };
    this.log.push(entry);
    const body = await readBody(req);
    entry.body = body.toString('utf8');
    if (this.mode === 'hang') return;
    if (this.mode === 'reset') {
      req.socket.destroy();
      return;
    }
    if (req.method !== 'POST' || req.url !== '/v1/traces') return this.answer(res, entry, 404, {});
    if (this.mode === 'unavailable') return this.answer(res, entry, 503, {});
    if (this.mode === 'reject') return this.answer(res, entry, 400, { code: 3, message: 'bad request' });
    let spans: ReceivedSpan[];
    try {
      spans = decodeTraces(JSON.parse(entry.body));
    } catch {
      return this.answer(res, entry, 400, { code: 3, message: 'not OTLP/JSON' });
    }
    entry.spans = spans.length;
    this.received.push(...spans);
    this.answer(res, entry, 200, {});
  }

  private answer(res: ServerResponse, entry: ReceivedRequest, status: number, body: object): void {
    entry.answered = status;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}
