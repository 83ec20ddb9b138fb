/**
 * Composition root: builds every part from the config, starts them in order and stops them in
 * reverse (poller -> state -> spans -> HTTP server). No logic lives here, only wiring.
 */
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { systemClock, type Clock } from './clock.js';
import type { ExporterConfig } from './config/schema.js';
import { DifyClient, normaliseBaseUrl } from './dify/client.js';
import { DifyServers } from './dify/server-pool.js';
import { defineMetrics, type ExporterMetrics } from './metrics/definitions.js';
import { MetricRegistry } from './metrics/exposition/registry.js';
import { createProcessMetricsSource } from './metrics/process-metrics.js';
import { RunRecorder } from './metrics/run-recorder.js';
import { CatchUpBudget } from './poller/catch-up-budget.js';
import { PollScheduler } from './poller/scheduler.js';
import { TargetWorker, type TargetStatus } from './poller/target-worker.js';
import { createHttpApp, listen } from './server/http-server.js';
import { FileStateStore } from './state/file-store.js';
import { MemoryStateStore } from './state/memory-store.js';
import { SnapshotWriter } from './state/snapshot-writer.js';
import { serialiseSnapshot, type StateStore } from './state/store.js';
import { targetStateId } from './state/target-id.js';
import { createRunTracer, type RunTracer } from './tracing/run-tracer.js';
import { traceWordsForRun } from './tracing/ids.js';
import { secretsOf } from './config/secrets.js';
import { createNameClaimer } from './config/target-names.js';
import { createLogger, registerSecret } from './log.js';
import { VERSION } from './version.js';

export interface ExporterDeps {
  logger?: Logger;
  clock?: Clock;
  /** Replaces the state store chosen from config (tests). */
  stateStore?: StateStore;
  /** false: no timers; the caller drives polls with pollAllOnce() (tests, benchmarks). */
  autoPoll?: boolean;
  /** Overrides for the Dify client's retry pacing (tests). */
  backoff?: { baseMs: number; maxMs: number };
  env?: NodeJS.ProcessEnv;
}

export interface Exporter {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** One poll of every target, then a state save (only when autoPoll is false, or at any time in tests). */
  pollAllOnce(): Promise<void>;
  /** Base URL of the HTTP server once started, e.g. http://127.0.0.1:9818 */
  readonly url: string;
  readonly metricsUrl: string;
  readonly registry: MetricRegistry;
  readonly metrics: ExporterMetrics;
  readonly tracer: RunTracer;
  targets(): TargetStatus[];
}

export async function createExporter(config: ExporterConfig, deps: ExporterDeps = {}): Promise<Exporter> {
  for (const secret of secretsOf(config)) registerSecret(secret);
  const logger = deps.logger ?? createLogger({ level: config.log.level });
  const clock = deps.clock ?? systemClock;
  const registry = new MetricRegistry();
  const metrics = defineMetrics(registry);
  metrics.buildInfo.set([VERSION, process.version], 1);
  registry.addSource(createProcessMetricsSource());

  const tracer = await createRunTracer(config.tracing, { registry, logger, clock, env: deps.env ?? process.env, version: VERSION });
  const recorder = new RunRecorder(metrics, { exemplars: true, traceWordsForRun });

  const store = deps.stateStore ?? (config.state.path ? new FileStateStore(config.state.path, logger) : new MemoryStateStore());
  const saved = await store.load();
  if (saved) tracer.restore(saved.outbox);

  const servers = new DifyServers({
    timeoutMs: config.http.timeoutMs,
    maxConnections: config.http.maxConnections,
    requestsPerSecond: config.http.requestsPerSecond,
  });
  const settings = {
    pageLimit: config.poll.pageLimit,
    maxLookupsPerPoll: config.poll.maxLookupsPerPoll,
    rescanWindowMs: config.poll.pendingRescanWindowMs,
    pollIntervalMs: config.poll.intervalMs,
    overlapSeconds: Math.ceil(config.poll.overlapMs / 1000),
    maxPendingRuns: config.poll.maxPendingRuns,
    maxPendingAgeMs: config.poll.maxPendingAgeMs,
    maxPagesPerPoll: config.poll.maxPagesPerPoll,
    initialLookbackMs: config.poll.initialLookbackMs,
  };
  const stateIds = config.targets.map((t) => targetStateId(normaliseBaseUrl(t.baseUrl).toString(), t.apiKey));
  const claimName = createNameClaimer(
    config.targets,
    stateIds.map((id) => saved?.targets[id]?.app),
  );
  const catchUpBudget = new CatchUpBudget(() => tracer.spareCapacity());
  const workers = config.targets.map((t, i) => {
    let worker: TargetWorker | undefined;
    const client = new DifyClient({
      baseUrl: t.baseUrl,
      apiKey: t.apiKey,
      server: servers.forBaseUrl(t.baseUrl),
      maxRetries: config.http.maxRetries,
      backoff: deps.backoff,
      clock,
      onRequest: (endpoint, code) => recorder.apiRequest(worker?.app ?? `target-${i + 1}`, endpoint, code),
    });
    const stateId = stateIds[i] as string;
    worker = new TargetWorker(t.baseUrl, t.name, `target-${i + 1}`, {
      client,
      recorder,
      clock,
      logger,
      settings,
      savedState: saved?.targets[stateId],
      catchUpBudget,
      claimName: (wanted) => claimName(wanted, i),
      onRun: (app, run) =>
        tracer.record({ app: app.name, mode: app.mode, serviceName: t.serviceName, serviceVersion: app.serverVersion }, run),
    });
    return worker;
  });

  const snapshot = (): Iterable<string> => {
    // Keyed by server + key, so renaming a target keeps its state; targets no longer configured go.
    const targets = new Map<string, Iterable<string>>();
    workers.forEach((w, i) => {
      const text = w.stateText();
      if (text) targets.set(stateIds[i] as string, text);
    });
    return serialiseSnapshot(clock.now(), targets, tracer.snapshot());
  };
  const writer = new SnapshotWriter(store, snapshot, logger);
  const scheduler = new PollScheduler(workers, {
    intervalMs: config.poll.intervalMs,
    initialSpreadMs: Math.min(config.poll.intervalMs, 5_000),
    afterPoll: () => writer.save(),
  });

  let server: Server | null = null;
  let url = '';
  let stopping: Promise<void> | null = null;

  return {
    get url() {
      return url;
    },
    get metricsUrl() {
      return `${url}/metrics`;
    },
    registry,
    metrics,
    tracer,
    targets: () => workers.map((w) => w.status()),
    async start() {
      tracer.start();
      const app = createHttpApp({ registry, version: VERSION, targets: () => workers.map((w) => w.status()), logger });
      server = await listen(app, config.server.host, config.server.port);
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.server.port;
      const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
      url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`;
      logger.info({ url: `${url}/metrics`, targets: workers.length, state: store.location, version: VERSION }, 'dify-exporter started');
      if (deps.autoPoll !== false) scheduler.start();
    },
    async pollAllOnce() {
      await scheduler.pollAllOnce();
      await writer.save();
    },
    stop() {
      stopping ??= (async () => {
        await scheduler.stop();
        await writer.save();
        await tracer.shutdown();
        await writer.save();
        await servers.closeAll();
        if (server) {
          const s = server;
          await new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          });
        }
        logger.info('dify-exporter stopped');
      })();
      return stopping;
    },
  };
}
