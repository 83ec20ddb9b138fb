/** The exporter's HTTP face: /metrics, /healthz, /readyz and a status page at /. */
import type { Server } from 'node:http';
import express from 'express';
import type { Logger } from 'pino';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from '../metrics/exposition/format.js';
import type { MetricRegistry } from '../metrics/exposition/registry.js';
import type { TargetStatus } from '../poller/target-worker.js';
import { renderLandingPage } from './landing-page.js';
import { negotiateFormat } from './negotiate.js';

export interface HttpServerDeps {
  registry: MetricRegistry;
  version: string;
  targets: () => TargetStatus[];
  logger: Logger;
}

export function createHttpApp(deps: HttpServerDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', async (req, res) => {
    const format = negotiateFormat(req.get('accept'));
    try {
      const body = await deps.registry.renderBytes(format);
      // Sent as is: res.send would hash the body for an ETag (megabytes at hundreds of apps) that no scraper uses.
      res.set({ 'content-type': format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE, 'content-length': String(body.length) });
      res.end(body, () => deps.registry.recycle(body));
    } catch (err) {
      deps.logger.error({ problem: (err as Error).message }, 'rendering /metrics failed');
      res.status(500).type('text/plain').send('rendering metrics failed\n');
    }
  });
  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok\n');
  });
  app.get('/readyz', (_req, res) => {
    const waiting = deps.targets().filter((t) => t.polls === 0).map((t) => t.app);
    if (waiting.length === 0) res.type('text/plain').send('ready\n');
    else res.status(503).type('text/plain').send(`not ready: waiting for the first poll of ${waiting.join(', ')}\n`);
  });
  app.get('/', (_req, res) => {
    res.type('html').send(renderLandingPage(deps.version, deps.targets()));
  });
  app.all(['/metrics', '/healthz', '/readyz', '/'], (req, res) => {
    res.status(405).set('allow', 'GET, HEAD').type('text/plain').send(`method not allowed: ${req.method} (use GET)\n`);
  });
  app.use((req, res) => {
    res.status(404).type('text/plain').send(`not found: ${req.method} ${req.path}\n`);
  });
  return app;
}

export function listen(app: express.Express, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(server)));
    server.on('error', reject);
  });
}
