/**
 * The dashboard and the rules as a user runs them: the exporter polls the Dify simulator, a real
 * Prometheus scrapes it every second with dashboards/dify-exporter.rules.yaml loaded, and
 * - every dashboard query (variables filled in) and every recording rule returns data;
 * - a burst of failed runs puts the failure-budget alerts in pending/firing state, and every
 *   other alert goes pending in the scenario made for it, while the healthy app stays quiet.
 * The real rules file is used unchanged: its `for:` durations leave the alerts pending within
 * the test's seconds, and pending proves the expression matched.
 * Without the Debian prometheus package: skipped locally, failed in CI.
 */
import { spawnSync } from 'node:child_process';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFileSchema } from '../../src/config/schema.js';
import { createExporter, type Exporter } from '../../src/main.js';
import { DifySimulator } from '../../src/simulator/simulator.js';
import { findPrometheusTool, freeLoopbackPort, requireTool, startPrometheus, type RunningPrometheus } from '../helpers/prometheus.js';
import { seededRandom } from '../helpers/random.js';
import {
  alertNames,
  dashboardExprs,
  fillVariables,
  labelValuesVariables,
  loadDashboard,
  loadRules,
  rulesPath,
} from './shipped-files.js';

const prometheusTool = findPrometheusTool('prometheus');
const promtoolTool = findPrometheusTool('promtool');
const skip = prometheusTool.skip || promtoolTool.skip;
if (skip) console.warn(`skipping the dashboard/rules end-to-end test: ${prometheusTool.path ? promtoolTool.reason : prometheusTool.reason}`);

/** Grafana's variables as the test fills them: every app, status and trigger; short windows. */
const VARIABLES = { app: '.*', status: '.*', triggered_from: '.*', __rate_interval: '1m', __range: '5m' };

const dashboard = loadDashboard();
const rules = loadRules();

/** Which alerts each app's scenario must raise; `healthy` raises none. */
const EXPECTED: Record<string, string[]> = {
  failing: ['DifyWorkflowFailureBudgetFastBurn', 'DifyWorkflowFailureBudgetSlowBurn'],
  slow: ['DifyWorkflowDurationP95High'],
  broken: ['DifyExporterTargetDown', 'DifyExporterPollsFailing', 'DifyExporterDataStale'],
};
const APPS = ['healthy', 'failing', 'slow', 'broken'];

describe.skipIf(skip)('dashboard and rules on a real Prometheus scraping the exporter', () => {
  let sim: DifySimulator;
  let exporter: Exporter;
  let prom: RunningPrometheus;
  let deadTarget: string;

  beforeAll(async () => {
    requireTool(prometheusTool);
    sim = new DifySimulator({ serverVersion: '1.13.0', seed: 4 });
    const apps = Object.fromEntries(APPS.map((name) => [name, sim.addApp({ apiKey: `app-${name}-key`, name, mode: 'workflow' })]));
    // Every request of "broken" fails: a Dify behind a proxy that answers 500.
    sim.faults.inject({ kind: 'http_500', times: 1_000_000, path: '/v1', apiKey: 'app-broken-key' });
    const baseUrl = await sim.listen();

    const config = configFileSchema().parse({
      server: { listen: '127.0.0.1:0' },
      poll: { interval: '1s' },
      state: { path: null },
      http: { max_retries: 0, timeout: '2s', requests_per_second: 1000 },
      log: { level: 'silent' },
      targets: APPS.map((name) => ({ name, base_url: baseUrl, api_key: `app-${name}-key` })),
    });
    exporter = await createExporter(config, { logger: pino({ level: 'silent' }), backoff: { baseMs: 5, maxMs: 20 }, env: {} });
    await exporter.start();

    // A second instance of the job that nobody serves: what DifyExporterDown is for.
    deadTarget = `127.0.0.1:${await freeLoopbackPort()}`;
    prom = await startPrometheus({
      scrapeJobs: [{ job: 'dify-exporter', targets: [new URL(exporter.url).host, deadTarget] }],
      ruleFiles: [rulesPath],
    });

    // Counters must be seen at zero before runs arrive, or rate() has no increase to see.
    await prom.waitFor(
      'zero-valued series of every app in Prometheus',
      async () => {
        const seen = await prom.query('count by (app) (count_over_time(dify_workflow_runs_total{status="failed"}[1m]) >= 2)');
        return seen.length === APPS.length ? true : undefined;
      },
      20_000,
    );

    const random = seededRandom(7);
    const between = (lo: number, hi: number) => Math.round(lo + random() * (hi - lo));
    const triggers = ['app-run', 'webhook', 'schedule'];
    for (let i = 0; i < 40; i++) {
      apps.healthy!.addFinishedRun({
        status: i === 17 ? 'failed' : 'succeeded',
        triggeredFrom: triggers[i % 3]!,
        elapsedSeconds: between(1, 20),
        totalTokens: between(300, 5000),
        totalSteps: between(3, 12),
        exceptionsCount: i % 10 === 0 ? 1 : 0,
      });
    }
    apps.healthy!.startRun();
    apps.healthy!.pauseRun(apps.healthy!.startRun());
    // 36 of 40 runs fail: 90 %, far above the fast-burn threshold (72 %), on enough traffic.
    for (let i = 0; i < 40; i++) {
      const status = i < 4 ? 'succeeded' : i < 34 ? 'failed' : 'partial-succeeded';
      apps.failing!.addFinishedRun({ status, elapsedSeconds: between(1, 5), totalTokens: between(100, 900), totalSteps: between(1, 4) });
    }
    // Six runs of 15 minutes: p95 far above 300 s.
    for (let i = 0; i < 6; i++) {
      apps.slow!.addFinishedRun({ status: 'succeeded', elapsedSeconds: 900, totalTokens: 20_000, totalSteps: 30, exceptionsCount: 2 });
    }

    await prom.waitFor(
      'the injected runs counted by the exporter and scraped by Prometheus',
      async () => {
        const totals = await prom.query('sum by (app) (dify_workflow_runs_total{app=~"healthy|failing|slow"})');
        const byApp = Object.fromEntries(totals.map((s) => [s.metric.app, s.value]));
        return byApp.healthy === 40 && byApp.failing === 40 && byApp.slow === 6 ? true : undefined;
      },
      20_000,
    );
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
    await exporter?.stop();
    await sim?.close();
  });

  it('answers every dashboard query with data', async () => {
    const exprs = dashboardExprs(dashboard);
    expect(exprs.length).toBeGreaterThan(20);
    const empty: string[] = [];
    for (const { source, expr } of exprs) {
      const filled = fillVariables(expr, VARIABLES);
      const samples = await prom.query(filled);
      if (!samples.some((s) => Number.isFinite(s.value))) empty.push(`${source}: ${filled} -> ${JSON.stringify(samples)}`);
    }
    expect(empty).toEqual([]);
  });

  it('lists values for every dashboard variable', async () => {
    const values = Object.fromEntries(
      await Promise.all(
        labelValuesVariables(dashboard).map(async (v) => [v.name, await prom.labelValues(v.label, fillVariables(v.selector, VARIABLES))] as const),
      ),
    );
    expect(values.app).toEqual([...APPS].sort());
    expect(values.status).toEqual(expect.arrayContaining(['succeeded', 'failed', 'partial-succeeded']));
    expect(values.triggered_from).toEqual(expect.arrayContaining(['app-run', 'webhook', 'schedule']));
  });

  it('evaluates every recording rule to data, and every rule without error', async () => {
    const empty: string[] = [];
    for (const rule of rules.filter((r) => r.record)) {
      const direct = await prom.query(rule.expr);
      const recorded = await prom.query(rule.record as string);
      if (!direct.some((s) => Number.isFinite(s.value))) empty.push(`${rule.record} (expression)`);
      if (recorded.length === 0) empty.push(`${rule.record} (recorded series)`);
    }
    expect(empty).toEqual([]);

    const evaluated = (await prom.rules()).flatMap((g) => g.rules);
    expect(evaluated.map((r) => r.name).sort()).toEqual(rules.map((r) => (r.record ?? r.alert) as string).sort());
    expect(evaluated.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`)).toEqual([]);
  });

  it('raises each alert for the app whose scenario calls for it, and none for the healthy app', async () => {
    const want = [
      ...Object.entries(EXPECTED).flatMap(([app, names]) => names.map((n) => `${n}{app=${app}}`)),
      `DifyExporterDown{instance=${deadTarget}}`,
    ].sort();
    const active = await prom.waitFor(
      'every expected alert pending or firing',
      async () => {
        const alerts = await prom.alerts();
        const have = new Set(alerts.map((a) => (a.labels.app ? `${a.labels.alertname}{app=${a.labels.app}}` : `${a.labels.alertname}{instance=${a.labels.instance}}`)));
        return want.every((w) => have.has(w)) ? alerts : undefined;
      },
      30_000,
    );
    expect(new Set(active.map((a) => a.labels.alertname))).toEqual(new Set(alertNames(rules)));
    expect(active.every((a) => a.state === 'pending' || a.state === 'firing')).toBe(true);
    expect(active.filter((a) => a.labels.app === 'healthy').map((a) => a.labels.alertname)).toEqual([]);
    // Each app raised only what its scenario calls for (a slow app is not a failing one).
    for (const a of active.filter((x) => x.labels.app)) {
      expect(EXPECTED[a.labels.app as string], `${a.labels.alertname} on ${a.labels.app}`).toContain(a.labels.alertname);
    }

    const burn = active.find((a) => a.labels.alertname === 'DifyWorkflowFailureBudgetFastBurn');
    expect(burn?.labels.severity).toBe('critical');
    expect(burn?.annotations.summary).toBe('Dify app failing is failing 90% of its workflow runs');
    const stale = active.find((a) => a.labels.alertname === 'DifyExporterDataStale');
    expect(stale?.annotations.description).toContain('since it started');
  });

  it('stores the trace ids of runs as exemplars of the duration histogram', async () => {
    const expr = fillVariables(
      dashboardExprs(dashboard).find((e) => e.expr.includes('histogram_quantile(0.99') && e.expr.includes('duration'))!.expr,
      VARIABLES,
    );
    const now = Date.now() / 1000;
    // The simulator's 900 s runs finish in the future (Dify >= 1.11 rows start at run start).
    const found = await prom.queryExemplars(expr, now - 600, now + 3600);
    const exemplars = found.flatMap((s) => s.exemplars);
    expect(exemplars.length).toBeGreaterThan(0);
    expect(exemplars.every((e) => /^[0-9a-f]{32}$/.test(e.labels.trace_id ?? ''))).toBe(true);
  });

  it("passes promtool check metrics on the exporter's live /metrics", async () => {
    const text = await (await fetch(exporter.metricsUrl, { signal: AbortSignal.timeout(5_000) })).text();
    const result = spawnSync(requireTool(promtoolTool), ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 10_000 });
    expect(`${result.stdout}${result.stderr}`.trim()).toBe('');
    expect(result.status).toBe(0);
  });
});
