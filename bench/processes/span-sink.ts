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
 * Calls `onField(field, start, end)` for each length-delimited field of the message in
 * body[start, end), skipping the other wire types.
 */
function eachLenField(body: Buffer, start: number, end: number, onField: (field: number, from: number, to: number) => void): void {
  let pos = start;
  const varint = (): number => {
    let value = 0;
    for (let shift = 1; ; shift *= 128) {
      const byte = body[pos++]!;
      value += (byte & 127) * shift;
      if (byte < 128 || pos >= end) return value;
    }
  };
  while (pos < end) {
    const key = varint();
    const wireType = key % 8;
    if (wireType === 0) varint();
    else if (wireType === 1) pos += 8;
    else if (wireType === 5) pos += 4;
    else if (wireType === 2) {
      const length = varint();
      onField(Math.floor(key / 8), pos, pos + length);
      pos += length;
    } else throw new Error(`unexpected wire type ${wireType}`);
  }
}

/** ExportTraceServiceRequest.resource_spans(1) > ResourceSpans.scope_spans(2) > ScopeSpans.spans(2). */
function countProtobufSpans(body: Buffer): number {
  let n = 0;
  eachLenField(body, 0, body.length, (f1, s1, e1) => {
    if (f1 !== 1) return;
    eachLenField(body, s1, e1, (f2, s2, e2) => {
      if (f2 !== 2) return;
      eachLenField(body, s2, e2, (f3) => {
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
    let body = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    requests++;
    bytes += body.length;
    if (req.headers['content-type'] === 'application/x-protobuf') {
      spans += countProtobufSpans(body);
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      res.end();
    } else {
      spans += countJsonSpans(body);
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
