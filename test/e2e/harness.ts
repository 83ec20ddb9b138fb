/** The real exporter (HTTP server and all) against the simulator, driven poll by poll with a shared clock. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { request } from 'undici';
import { ManualClock } from '../../src/clock.js';
import { configFileSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/log.js';
import { createExporter, type Exporter } from '../../src/main.js';
import { DifySimulator, type SimulatorOptions } from '../../src/simulator/simulator.js';
import { parseExposition, type Sample } from '../helpers/exposition.js';

export const T0 = Date.UTC(2026, 10, 20, 9, 0, 0) + 250;

export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'dify-exporter-test-'));
}

let simulators = 0;

/** A simulator on loopback; each gets its own id seed, so two servers never share run ids. */
export async function startSimulator(opts: SimulatorOptions & { clock: ManualClock }) {
  const sim = new DifySimulator({ seed: 5 + 1000 * ++simulators, ...opts });
  const baseUrl = await sim.listen();
  return { sim, baseUrl };
}

export interface ExporterOptions {
  clock: ManualClock;
  targets: Array<{ name?: string; base_url: string; api_key: string }>;
  statePath?: string | null;
  tracingEndpoint?: string;
  maxOutboxSpans?: number;
  lookback?: string;
}

export async function startExporter(o: ExporterOptions): Promise<{ exporter: Exporter; logs: LogCapture }> {
  const config = configFileSchema().parse({
    server: { listen: '127.0.0.1:0' },
    poll: { interval: '15s', initial_lookback: o.lookback ?? '0s', overlap: '2s' },
    state: { path: o.statePath ?? null },
    http: { requests_per_second: 1000 },
    tracing: { endpoint: o.tracingEndpoint ?? '', ...(o.maxOutboxSpans ? { max_outbox_spans: o.maxOutboxSpans } : {}) },
    log: { level: 'debug' },
    targets: o.targets,
  });
  const logs = new LogCapture();
  const exporter = await createExporter(config, {
    clock: o.clock,
    autoPoll: false,
    backoff: { baseMs: 1, maxMs: 5 },
    logger: createLogger({ level: 'debug', destination: logs }),
    env: {},
  });
  await exporter.start();
  return { exporter, logs };
}

export async function get(url: string, accept?: string): Promise<{ status: number; type: string; body: string }> {
  const res = await request(url, { headers: accept ? { accept } : {} });
  return { status: res.statusCode, type: String(res.headers['content-type'] ?? ''), body: await res.body.text() };
}

export async function scrape(exporter: Exporter, format: 'prometheus' | 'openmetrics' = 'prometheus'): Promise<Sample[]> {
  const accept = format === 'openmetrics' ? 'application/openmetrics-text;version=1.0.0,text/plain;q=0.5' : 'text/plain;version=0.0.4';
  const res = await get(exporter.metricsUrl, accept);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return parseExposition(res.body);
}
