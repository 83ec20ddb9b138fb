/**
 * A collector behind TLS with a private CA: trusted through OTEL_EXPORTER_OTLP_CERTIFICATE, as
 * the OTLP exporter spec says; refused without it.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSpanPipeline } from '../../src/tracing/create.js';
import { CountingDeliveryMetrics } from '../../src/tracing/delivery-metrics.js';
import { decodeProtobufTraceRequest } from '../helpers/otlp-proto-schema.js';
import { decodeTraces } from '../helpers/otlp-receiver.js';
import { memoryLogger } from './logs.js';
import { ManualTimers } from '../manual-timers.js';
import { finishedRun } from './runs.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/tls');
const CERT = join(FIXTURES, 'collector.crt');

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** An OTLP/protobuf receiver on https://127.0.0.1 with a self-signed certificate. */
async function tlsCollector(): Promise<{ url: string; traceIds: string[] }> {
  const traceIds: string[] = [];
  server = createServer({ key: readFileSync(join(FIXTURES, 'collector.key')), cert: readFileSync(CERT) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      for (const span of decodeTraces(decodeProtobufTraceRequest(Buffer.concat(chunks)))) traceIds.push(span.traceId);
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `https://127.0.0.1:${(server!.address() as AddressInfo).port}`, traceIds };
}

async function sendThree(url: string, env: NodeJS.ProcessEnv) {
  const { logger, lines } = memoryLogger();
  const metrics = new CountingDeliveryMetrics();
  const timers = new ManualTimers();
  const pipeline = createSpanPipeline(
    { endpoint: url, headers: {}, protocol: 'http/protobuf', compression: 'none', serviceName: 'dify', includeEndUser: false, maxOutboxSpans: 100, maxBatchSize: 10 },
    { logger, metrics, timers, clock: timers.clock, env, exportTimeoutMillis: 2_000 },
  );
  const runs = [finishedRun(), finishedRun(), finishedRun()];
  for (const run of runs) pipeline.record({ app: 'bot', mode: 'workflow', serviceName: null }, run);
  await pipeline.forceFlush();
  await pipeline.shutdown();
  return { lines, metrics, runIds: runs.map((r) => r.runId.replaceAll('-', '')).sort() };
}

describe('a collector behind TLS', () => {
  it('is trusted through OTEL_EXPORTER_OTLP_CERTIFICATE', async () => {
    const collector = await tlsCollector();
    const { runIds } = await sendThree(collector.url, { OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE: CERT });
    expect(collector.traceIds.sort()).toEqual(runIds);
  });

  it('is refused without it (the spans wait in the outbox)', async () => {
    const collector = await tlsCollector();
    const { metrics } = await sendThree(collector.url, {});
    expect(collector.traceIds).toEqual([]);
    expect(metrics.exportedTotal).toBe(0);
  });

  it('names a certificate file that cannot be read', async () => {
    const collector = await tlsCollector();
    const { lines } = await sendThree(collector.url, { OTEL_EXPORTER_OTLP_CERTIFICATE: join(FIXTURES, 'missing.crt') });
    expect(lines).toContainEqual(expect.objectContaining({ variable: 'OTEL_EXPORTER_OTLP_CERTIFICATE', reason: 'ENOENT' }));
    expect(collector.traceIds).toEqual([]);
  });
});
