/**
 * A real OTLP/HTTP trace receiver on 127.0.0.1 for tests: accepts POST /v1/traces in OTLP/protobuf
 * or OTLP/JSON (chosen by Content-Type, gzip too), decodes and keeps the spans, and can play a
 * broken collector (503, 400, a request that never answers, a reset connection, or no listener).
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeProtobufTraceRequest } from './otlp-proto-schema.js';

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
  /** OTLP span flags (low 8 bits: W3C trace flags); undefined when the request did not carry them. */
  flags: number | undefined;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The request's Content-Type header as sent ('' when absent). */
  contentType: string;
  /** HTTP status answered, or 0 when the receiver hung or reset the connection. */
  answered: number;
  spans: number;
  /**
   * The request body as received (after gzip), for "this never goes over the wire" checks: UTF-8
   * text for JSON, latin1 for protobuf (so every ASCII string inside stays findable).
   */
  body: string;
}

/** accept: 200; unavailable: 503; reject: 400; hang: never answers; reset: drops the connection. */
export type ReceiverMode = 'accept' | 'unavailable' | 'reject' | 'hang' | 'reset';

type Json = Record<string, unknown>;

/** The OTLP/HTTP encodings the receiver speaks. */
type Wire = 'protobuf' | 'json';

const CONTENT_TYPES: Record<Wire, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

function wireOf(contentType: string): Wire | undefined {
  const media = contentType.split(';')[0]?.trim().toLowerCase();
  if (media === CONTENT_TYPES.protobuf) return 'protobuf';
  if (media === CONTENT_TYPES.json) return 'json';
  return undefined;
}

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

/**
 * Flattens an OTLP/JSON ExportTraceServiceRequest (or the same shape from
 * `decodeProtobufTraceRequest`) into spans.
 */
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
          flags: s.flags === undefined || s.flags === null ? undefined : Number(s.flags),
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
    const contentType = req.headers['content-type'] ?? '';
    const entry: ReceivedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      contentType,
      answered: 0,
      spans: 0,
      body: '',
    };
    this.log.push(entry);
    const wire = wireOf(contentType);
    const body = await readBody(req);
    entry.body = body.toString(wire === 'protobuf' ? 'latin1' : 'utf8');
    if (this.mode === 'hang') return;
    if (this.mode === 'reset') {
      req.socket.destroy();
      return;
    }
    if (req.method !== 'POST' || req.url !== '/v1/traces') return this.answer(res, entry, wire, 404, {});
    if (wire === undefined) return this.answer(res, entry, wire, 415, { code: 3, message: `unsupported content type '${contentType}'` });
    if (this.mode === 'unavailable') return this.answer(res, entry, wire, 503, {});
    if (this.mode === 'reject') return this.answer(res, entry, wire, 400, { code: 3, message: 'bad request' });
    let spans: ReceivedSpan[];
    try {
      spans = decodeTraces(wire === 'protobuf' ? decodeProtobufTraceRequest(body) : JSON.parse(entry.body));
    } catch {
      return this.answer(res, entry, wire, 400, { code: 3, message: `not OTLP/${wire}` });
    }
    entry.spans = spans.length;
    this.received.push(...spans);
    this.answer(res, entry, wire, 200, {});
  }

  /**
   * Answers in the request's encoding: protobuf gets an empty body (an empty
   * ExportTraceServiceResponse, or no google.rpc.Status details), JSON and unknown types get `json`.
   */
  private answer(res: ServerResponse, entry: ReceivedRequest, wire: Wire | undefined, status: number, json: object): void {
    entry.answered = status;
    if (wire === 'protobuf') {
      res.writeHead(status, { 'content-type': CONTENT_TYPES.protobuf });
      res.end();
      return;
    }
    res.writeHead(status, { 'content-type': CONTENT_TYPES.json });
    res.end(JSON.stringify(json));
  }
}
