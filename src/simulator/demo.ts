/**
 * `npm run demo`: a simulated Dify (a few apps, a steady mixed workload with long and paused runs,
 * the odd 503) on loopback, and the real exporter pointed at it. No Dify account needed.
 *
 * Env: DEMO_LISTEN (default 127.0.0.1:9818), DEMO_RUNS_PER_SECOND (default 4),
 * OTEL_EXPORTER_OTLP_ENDPOINT to send the runs' spans to a collector.
 */
import { configFileSchema } from '../config/schema.js';
import { createLogger } from '../log.js';
import { createExporter } from '../main.js';
import { DifySimulator } from './simulator.js';
import { Workload } from './workload.js';

const env = process.env;
const logger = createLogger({ level: 'info' });

const sim = new DifySimulator({ serverVersion: '1.13.0', commitDelayMs: 300 });
const apps = [
  sim.addApp({ apiKey: 'app-demo-support-bot', name: 'support-bot' }),
  sim.addApp({ apiKey: 'app-demo-doc-summarizer', name: 'doc-summarizer' }),
  sim.addApp({ apiKey: 'app-demo-nightly-report', name: 'nightly-report' }),
];
sim.addApp({ apiKey: 'app-demo-help-chat', name: 'help-chat', mode: 'advanced-chat' });
const baseUrl = await sim.listen();
sim.faults.setFailureRate({ kind: 'http_503', rate: 0.02, seed: 7 });

const workload = new Workload(sim, apps, { seed: Date.now() % 1_000_000, runsPerSecond: Number(env.DEMO_RUNS_PER_SECOND ?? 4) });
const stopWorkload = workload.runRealtime(250);

const otlp = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '';
const config = configFileSchema().parse({
  server: { listen: env.DEMO_LISTEN ?? '127.0.0.1:9818' },
  poll: { interval: '5s' },
  state: { path: null },
  tracing: { endpoint: otlp },
  targets: [
    ...apps.map((a) => ({ base_url: baseUrl, api_key: a.apiKey })),
    { base_url: baseUrl, api_key: 'app-demo-help-chat' },
  ],
});

const exporter = await createExporter(config, { logger });
await exporter.start();
process.stdout.write(
  `\n  Simulated Dify service API: ${baseUrl}\n  dify-exporter metrics:      ${exporter.metricsUrl}\n  status page:                ${exporter.url}/\n\n  Runs arrive at ~${env.DEMO_RUNS_PER_SECOND ?? 4}/s; first counts appear within ~10 s. Ctrl-C to stop.\n\n`,
);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  stopWorkload();
  await exporter.stop();
  await sim.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
