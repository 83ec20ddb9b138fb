/**
 * Benchmark child: an OTLP/HTTP endpoint that accepts every POST /v1/traces and counts the spans
 * in it without decoding them (a cheap scan for `"traceId"`), so a collector's cost does not land
 * on the two cores the benchmark measures. test/helpers/otlp-receiver.ts is the decoding one.
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

function countSpans(body: Buffer): number {
  let n = 0;
  for (let i = body.indexOf(NEEDLE); i >= 0; i = body.indexOf(NEEDLE, i + NEEDLE.length)) n++;
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
    spans += countSpans(body);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
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
