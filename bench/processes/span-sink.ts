/**
 * Benchmark child: an OTLP/HTTP endpoint that accepts every POST /v1/traces and counts the spans
 * in it without decoding them (protobuf: walks the nested length-delimited fields down to the
 * spans; JSON: a scan for `"traceId"`), so a collector's cost does not land on the two cores the
 * benchmark measures. test/helpers/otlp-receiver.ts is the decoding one.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { serve } from '../lib/ipc.js';
import { cpuSecondsSince } from '../lib/proc-stats.js';

const NEEDLE = Buffer.from('"traceId"');
let spans = 0;
let requests = 0;
let bytes = 0;
const cpuStart = process.cpuUsage();

function countJsonSpans(body: Buffer): number {
  let n = 0;
  for (let i = body.indexOf(NEEDLE); i >= 0; i = body.indexOf(NEEDLE, i + NEEDLE.length)) n++;
  return n;
}

/**
 * Reads a body across the chunks it arrived in (no copy into one buffer: ~40 % of the sink's CPU
 * went to that copy). Positions are offsets into the whole body.
 */
class ChunkReader {
  private chunk = 0;
  /** Offset of chunks[chunk] in the body. */
  private base = 0;
  pos = 0;

  constructor(private readonly chunks: readonly Buffer[]) {}

  private byte(): number {
    while (this.pos - this.base >= this.chunks[this.chunk]!.length) {
      this.base += this.chunks[this.chunk]!.length;
      this.chunk++;
      if (this.chunk >= this.chunks.length) throw new Error('body ends inside a field');
    }
    return this.chunks[this.chunk]![this.pos++ - this.base]!;
  }

  varint(): number {
    let value = 0;
    for (let shift = 1; ; shift *= 128) {
      const byte = this.byte();
      value += (byte & 127) * shift;
      if (byte < 128) return value;
    }
  }
}

/**
 * Calls `onField(field, end)` for each length-delimited field of the message that runs from the
 * reader's position to `end` (the field's content starts at the reader's position; the reader is
 * moved past it afterwards), skipping the other wire types.
 */
function eachLenField(r: ChunkReader, end: number, onField: (field: number, end: number) => void): void {
  while (r.pos < end) {
    const key = r.varint();
    const wireType = key % 8;
    if (wireType === 0) r.varint();
    else if (wireType === 1) r.pos += 8;
    else if (wireType === 5) r.pos += 4;
    else if (wireType === 2) {
      const fieldEnd = r.varint() + r.pos;
      onField(Math.floor(key / 8), fieldEnd);
      r.pos = fieldEnd;
    } else throw new Error(`unexpected wire type ${wireType}`);
  }
}

/** ExportTraceServiceRequest.resource_spans(1) > ResourceSpans.scope_spans(2) > ScopeSpans.spans(2). */
function countProtobufSpans(chunks: readonly Buffer[]): number {
  const r = new ChunkReader(chunks);
  let n = 0;
  eachLenField(r, chunks.reduce((total, c) => total + c.length, 0), (f1, e1) => {
    if (f1 !== 1) return;
    eachLenField(r, e1, (f2, e2) => {
      if (f2 !== 2) return;
      eachLenField(r, e2, (f3) => {
        if (f3 === 2) n++;
      });
    });
  });
  return n;
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = req.headers['content-encoding'] === 'gzip' ? [gunzipSync(Buffer.concat(chunks))] : chunks;
    requests++;
    for (const c of body) bytes += c.length;
    if (req.headers['content-type'] === 'application/x-protobuf') {
      spans += countProtobufSpans(body);
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      res.end();
    } else {
      spans += countJsonSpans(Buffer.concat(body));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    }
  });
});

serve({
  async listen() {
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  },
  stats: () => ({ spans, requests, bytes, cpuSeconds: cpuSecondsSince(cpuStart) }),
  reset() {
    spans = 0;
    requests = 0;
    bytes = 0;
  },
});
