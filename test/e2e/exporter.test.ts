import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import type { Exporter } from '../../src/main.js';
import type { DifySimulator, SimApp, SimRunRecord } from '../../src/simulator/simulator.js';
import { Workload } from '../../src/simulator/workload.js';
import { sumOf, type Sample } from '../helpers/exposition.js';
import { OtlpReceiver } from '../helpers/otlp-receiver.js';
import { T0, get, scrape, startExporter, startSimulator, tempDir } from './harness.js';

const KEY_A = 'app-secret-key-AAAAAAAAAAAA';
const KEY_B = 'app-secret-key-BBBBBBBBBBBB';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function truthOf(app: SimApp, since: number): SimRunRecord[] {
  return app.finishedRuns().filter((r) => r.createdAt >= since);
}

function expectMetricsMatch(samples: Sample[], app: string, truth: SimRunRecord[]): void {
  const statuses = ['succeeded', 'failed', 'stopped', 'partial-succeeded'];
  for (const status of statuses) {
    const runs = truth.filter((r) => r.status === status);
    expect(sumOf(samples, 'dify_workflow_runs_total', { app, status }), `${app} ${status}`).toBe(runs.length);
    expect(sumOf(samples, 'dify_workflow_run_duration_seconds_count', { app, status })).toBe(runs.length);
    expect(sumOf(samples, 'dify_workflow_run_tokens_count', { app, status })).toBe(runs.length);
    expect(sumOf(samples, 'dify_workflow_tokens_total', { app, status })).toBe(runs.reduce((a, r) => a + r.totalTokens, 0));
    expect(sumOf(samples, 'dify_workflow_run_steps_sum', { app, status })).toBe(runs.reduce((a, r) => a + r.totalSteps, 0));
  }
  expect(sumOf(samples, 'dify_workflow_exceptions_total', { app })).toBe(truth.reduce((a, r) => a + r.exceptionsCount, 0));
}

async function world(serverVersion = '1.13.0') {
  const clock = new ManualClock(T0);
  const { sim, baseUrl } = await startSimulator({ clock, serverVersion, commitDelayMs: 800 });
  cleanups.push(() => sim.close());
  const a = sim.addApp({ apiKey: KEY_A, name: 'Support Bot' });
  const b = sim.addApp({ apiKey: KEY_B, name: 'doc-summarizer' });
  return { clock, sim, baseUrl, a, b };
}

/** Polls until no unfinished run is followed any more (old ones get a capped number of look-ups per poll). */
async function drain(exporter: Exporter, clock: ManualClock): Promise<void> {
  for (let i = 0; i < 20; i++) {
    clock.advance(16 * 60_000);
    await exporter.pollAllOnce();
    if (exporter.targets().every((t) => t.pending === 0)) return;
  }
  throw new Error('unfinished runs still followed after 20 polls');
}

async function pollFor(exporter: Exporter, clock: ManualClock, workload: Workload | null, polls: number): Promise<void> {
  for (let i = 0; i < polls; i++) {
    workload?.step(15_000);
    if (!workload) clock.advance(15_000);
    await exporter.pollAllOnce();
  }
}

describe('exporter end to end (simulator -> exporter -> /metrics, OTLP)', () => {
  it('serves every run exactly once on /metrics, in both formats, with exemplars that point at sent spans', async () => {
    const { clock, sim, baseUrl, a, b } = await world();
    const receiver = await OtlpReceiver.start();
    cleanups.push(() => receiver.close());
    const { exporter, logs } = await startExporter({
      clock,
      tracingEndpoint: receiver.tracesUrl,
      targets: [
        { base_url: baseUrl, api_key: KEY_A },
        { name: 'summarizer', base_url: baseUrl, api_key: KEY_B },
      ],
    });
    cleanups.push(() => exporter.stop());
    const since = Math.floor(clock.now() / 1000);

    // Before the first poll: not ready, but the named app's series already exist at zero.
    expect((await get(`${exporter.url}/readyz`)).status).toBe(503);
    const before = await scrape(exporter);
    expect(before.find((s) => s.name === 'dify_workflow_runs_total' && s.labels.app === 'summarizer' && s.labels.status === 'failed')?.value).toBe(0);
    expect(sumOf(before, 'dify_exporter_build_info')).toBe(1);

    // The first poll identifies the apps and starts counting from now (initial_lookback 0).
    await exporter.pollAllOnce();
    const workload = new Workload(sim, [a, b], { seed: 3, runsPerSecond: 6 });
    await pollFor(exporter, clock, workload, 40);
    await pollFor(exporter, clock, null, 3);
    for (const app of [a, b]) for (const r of app.inProgressRuns()) app.finishRun(r.runId, { status: 'succeeded' });
    await drain(exporter, clock);

    expect((await get(`${exporter.url}/readyz`)).status).toBe(200);
    const text = await scrape(exporter);
    const truthA = truthOf(a, since);
    const truthB = truthOf(b, since);
    expect(truthA.length + truthB.length).toBeGreaterThan(2000);
    expectMetricsMatch(text, 'Support Bot', truthA);
    expectMetricsMatch(text, 'summarizer', truthB);
    expect(sumOf(text, 'dify_exporter_target_up')).toBe(2);
    expect(sumOf(text, 'dify_exporter_target_info', { app: 'Support Bot', mode: 'workflow', server_version: '1.13.0' })).toBe(1);

    const om = await get(exporter.metricsUrl, 'application/openmetrics-text;version=1.0.0');
    expect(om.type).toContain('application/openmetrics-text');
    expect(om.body.endsWith('# EOF\n')).toBe(true);
    const omSamples = await scrape(exporter, 'openmetrics');
    expectMetricsMatch(omSamples, 'Support Bot', truthA);
    const exemplarIds = new Set(omSamples.flatMap((s) => (s.exemplar ? [s.exemplar.labels.trace_id as string] : [])));
    expect(exemplarIds.size).toBeGreaterThan(10);

    await exporter.tracer.forceFlush();
    const spans = receiver.spans();
    const spanIds = new Set(spans.map((s) => s.traceId));
    expect(spans.length).toBe(truthA.length + truthB.length);
    expect(spanIds.size).toBe(spans.length);
    expect(spanIds).toEqual(new Set([...truthA, ...truthB].map((r) => r.runId.replace(/-/g, ''))));
    for (const id of exemplarIds) expect(spanIds.has(id), `exemplar ${id} has a span`).toBe(true);

    // Only GET (and HEAD) are served; other methods and paths get a plain answer, not a crash.
    const post = await request(exporter.metricsUrl, { method: 'POST', body: 'x' });
    expect(post.statusCode).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    await post.body.dump();
    expect((await get(`${exporter.url}/nope`)).status).toBe(404);

    // No key anywhere a user or log collector can see.
    const page = await get(`${exporter.url}/`);
    expect(page.body).toContain('Support Bot');
    for (const body of [page.body, om.body, (await get(exporter.metricsUrl)).body, ...logs.lines]) {
      expect(body).not.toContain(KEY_A);
      expect(body).not.toContain(KEY_B);
    }
  });

  it('a restart from the state file neither re-counts nor skips a run, and re-sends no span', async () => {
    const { clock, sim, baseUrl, a } = await world();
    const receiver = await OtlpReceiver.start();
    cleanups.push(() => receiver.close());
    const statePath = join(tempDir(), 'state.json');
    const targets = [{ name: 'bot', base_url: baseUrl, api_key: KEY_A }];
    const since = Math.floor(clock.now() / 1000);
    const workload = new Workload(sim, [a], { seed: 11, runsPerSecond: 4 });

    const totals: Sample[][] = [];
    for (let life = 0; life < 3; life++) {
      const { exporter } = await startExporter({ clock, statePath, targets, tracingEndpoint: receiver.tracesUrl });
      if (life === 0) await exporter.pollAllOnce(); // counting starts at the first poll
      await pollFor(exporter, clock, workload, 12);
      totals.push(await scrape(exporter));
      await exporter.stop();
      workload.step(60_000); // runs start and finish while the exporter is down
    }
    const { exporter } = await startExporter({ clock, statePath, targets, tracingEndpoint: receiver.tracesUrl });
    cleanups.push(() => exporter.stop());
    for (const r of a.inProgressRuns()) a.finishRun(r.runId, { status: 'failed' });
    await drain(exporter, clock);
    totals.push(await scrape(exporter));
    await exporter.tracer.forceFlush();

    const truth = truthOf(a, since);
    const counted = totals.reduce((n, samples) => n + sumOf(samples, 'dify_workflow_runs_total', { app: 'bot' }), 0);
    expect(counted).toBe(truth.length);
    const tokens = totals.reduce((n, samples) => n + sumOf(samples, 'dify_workflow_tokens_total', { app: 'bot' }), 0);
    expect(tokens).toBe(truth.reduce((n, r) => n + r.totalTokens, 0));
    const traceIds = receiver.spans().map((s) => s.traceId);
    expect(new Set(traceIds).size).toBe(traceIds.length);
    expect(traceIds.length).toBe(truth.length);
  });

  it('a corrupt state file is reported, moved aside, and the exporter starts fresh', async () => {
    const { clock, baseUrl } = await world();
    const dir = tempDir();
    const statePath = join(dir, 'state.json');
    writeFileSync(statePath, '{"version":1,"targets":');
    const { exporter, logs } = await startExporter({ clock, statePath, targets: [{ name: 'bot', base_url: baseUrl, api_key: KEY_A }] });
    cleanups.push(() => exporter.stop());
    expect(readdirSync(dir).some((f) => f.startsWith('state.json.corrupt-'))).toBe(true);
    expect(logs.lines.some((l) => l.includes('state file is corrupt'))).toBe(true);
    await exporter.pollAllOnce();
    expect(exporter.targets()[0]?.up).toBe(true);
  });

  it('an unreadable entry for one target in a valid state file restarts that target afresh, not down for ever', async () => {
    const { clock, baseUrl, a } = await world();
    const statePath = join(tempDir(), 'state.json');
    const targets = [{ name: 'bot', base_url: baseUrl, api_key: KEY_A }];
    const first = await startExporter({ clock, statePath, targets });
    await first.exporter.pollAllOnce();
    await first.exporter.stop();
    const saved = JSON.parse(readFileSync(statePath, 'utf8')) as { targets: Record<string, Record<string, unknown>> };
    for (const entry of Object.values(saved.targets)) delete entry.horizon;
    writeFileSync(statePath, JSON.stringify(saved));
    const { exporter, logs } = await startExporter({ clock, statePath, targets });
    cleanups.push(() => exporter.stop());
    await exporter.pollAllOnce();
    clock.advance(15_000);
    a.addFinishedRun({ status: 'succeeded', totalTokens: 3 });
    clock.advance(2_000);
    await exporter.pollAllOnce();
    expect(exporter.targets()[0]?.up).toBe(true);
    expect(sumOf(await scrape(exporter), 'dify_workflow_tokens_total', { app: 'bot' })).toBe(3);
    expect(logs.lines.some((l) => l.includes('saved state of this target is unreadable'))).toBe(true);
  });

  it('a bad key marks the target down with reason auth; chatflow and chat keys are accepted with a warning', async () => {
    const { clock, sim, baseUrl } = await world();
    sim.addApp({ apiKey: 'app-chatflow-key-000', name: 'help-chat', mode: 'advanced-chat' });
    sim.addApp({ apiKey: 'app-completion-key-00', name: 'writer', mode: 'completion' });
    const { exporter, logs } = await startExporter({
      clock,
      targets: [
        { name: 'broken', base_url: baseUrl, api_key: 'app-wrong-key-123456' },
        { base_url: baseUrl, api_key: 'app-chatflow-key-000' },
        { base_url: baseUrl, api_key: 'app-completion-key-00' },
      ],
    });
    cleanups.push(() => exporter.stop());
    await exporter.pollAllOnce();
    await exporter.pollAllOnce();
    const s = await scrape(exporter);
    expect(sumOf(s, 'dify_exporter_target_up', { app: 'broken' })).toBe(0);
    expect(sumOf(s, 'dify_exporter_poll_errors_total', { app: 'broken', reason: 'auth' })).toBe(2);
    expect(sumOf(s, 'dify_exporter_api_requests_total', { app: 'broken', code: '401' })).toBe(2);
    expect(sumOf(s, 'dify_exporter_target_up', { app: 'help-chat' })).toBe(1);
    expect(sumOf(s, 'dify_exporter_target_info', { app: 'help-chat', mode: 'advanced-chat' })).toBe(1);
    expect(sumOf(s, 'dify_exporter_target_unsupported', { app: 'help-chat', mode: 'advanced-chat' })).toBe(1);
    expect(sumOf(s, 'dify_exporter_target_unsupported', { app: 'writer', mode: 'completion' })).toBe(1);
    expect(logs.lines.filter((l) => l.includes('chatflow app: Dify records no chatflow runs'))).toHaveLength(1);
    expect(logs.lines.some((l) => l.includes('"reason":"auth"') && l.includes('broken'))).toBe(true);
    expect(logs.lines.join('\n')).not.toContain('app-wrong-key-123456');
  });
});

describe('clock skew', () => {
  it('a Dify whose clock lags the exporter\'s still has its first runs counted (first horizon from its Date header)', async () => {
    const difyClock = new ManualClock(T0 - 5 * 60_000); // Dify is 5 minutes behind
    const exporterClock = new ManualClock(T0);
    const { sim, baseUrl } = await startSimulator({ clock: difyClock });
    cleanups.push(() => sim.close());
    const app = sim.addApp({ apiKey: KEY_A, name: 'bot' });
    const { exporter } = await startExporter({ clock: exporterClock, targets: [{ base_url: baseUrl, api_key: KEY_A }] });
    cleanups.push(() => exporter.stop());
    await exporter.pollAllOnce();
    difyClock.advance(1_000);
    app.addFinishedRun({ status: 'succeeded', totalTokens: 7 });
    exporterClock.advance(15_000);
    difyClock.advance(14_000);
    await exporter.pollAllOnce();
    expect(sumOf(await scrape(exporter), 'dify_workflow_tokens_total', { app: 'bot' })).toBe(7);
  });
});

/**
 * Apps with a backlog of finished runs, a collector that refuses every span, and an exporter with
 * a 2,000-span outbox looking back two hours.
 */
async function catchUpWithCollectorDown(apps: { apiKey: string; name: string; runs: number; seed: number }[]) {
  const clock = new ManualClock(T0);
  const { sim, baseUrl } = await startSimulator({ clock, serverVersion: '1.10.1' });
  cleanups.push(() => sim.close());
  for (const a of apps) sim.addApp({ apiKey: a.apiKey, name: a.name }).addFinishedBacklog(a.runs, { fromMs: T0 - 3_600_000, toMs: T0 - 60_000, seed: a.seed });
  const receiver = await OtlpReceiver.start();
  cleanups.push(() => receiver.close());
  receiver.mode = 'unavailable';
  const { exporter } = await startExporter({
    clock,
    lookback: '2h',
    maxOutboxSpans: 2_000,
    tracingEndpoint: receiver.tracesUrl,
    targets: apps.map((a) => ({ name: a.name, base_url: baseUrl, api_key: a.apiKey })),
  });
  cleanups.push(() => exporter.stop());
  /** Polls every target `n` times, 15 s apart. */
  const poll = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      clock.advance(15_000);
      await exporter.pollAllOnce();
    }
  };
  /** Lets the collector accept spans again and polls (at most `maxPolls` times) until `runs` runs are counted. */
  const recover = async (runs: number, maxPolls: number): Promise<Awaited<ReturnType<typeof scrape>>> => {
    receiver.mode = 'accept';
    for (let i = 0; i < maxPolls && sumOf(await scrape(exporter), 'dify_workflow_runs_total') < runs; i++) {
      await exporter.tracer.forceFlush();
      await poll(1);
    }
    await exporter.tracer.forceFlush();
    return scrape(exporter);
  };
  return { exporter, receiver, poll, recover };
}

describe('catching up while the collector is down', () => {
  it('pauses the backlog instead of dropping spans, and delivers every span once the collector is back', async () => {
    const { exporter, receiver, poll, recover } = await catchUpWithCollectorDown([{ apiKey: KEY_A, name: 'bot', runs: 6_000, seed: 2 }]);
    await poll(5);
    const during = await scrape(exporter);
    expect(sumOf(during, 'dify_workflow_runs_total', { app: 'bot' })).toBeLessThan(6_000);
    // The backlog stops at half the outbox; the last ten pages or fewer are read as usual.
    expect(sumOf(during, 'dify_exporter_span_queue_size')).toBeLessThanOrEqual(1_000);
    const after = await recover(6_000, 40);
    expect(sumOf(after, 'dify_workflow_runs_total', { app: 'bot' })).toBe(6_000);
    expect(sumOf(after, 'dify_exporter_spans_dropped_total')).toBe(0);
    const ids = receiver.spans().map((s) => s.traceId);
    expect(new Set(ids).size).toBe(6_000);
    expect(ids.length).toBe(6_000);
  });
});

describe('several targets catching up while the collector is down', () => {
  it('share the outbox room: together they stop at half the outbox and no span is dropped', async () => {
    const keys = ['app-share-key-000001', 'app-share-key-000002', 'app-share-key-000003', 'app-share-key-000004'];
    const { exporter, receiver, poll, recover } = await catchUpWithCollectorDown(keys.map((apiKey, i) => ({ apiKey, name: `bot-${i}`, runs: 2_500, seed: 10 + i })));
    await poll(3);
    const during = await scrape(exporter);
    expect(sumOf(during, 'dify_exporter_span_queue_size')).toBeLessThanOrEqual(1_000);
    expect(sumOf(during, 'dify_exporter_spans_dropped_total')).toBe(0);
    const after = await recover(10_000, 60);
    expect(sumOf(after, 'dify_workflow_runs_total')).toBe(10_000);
    expect(sumOf(after, 'dify_exporter_spans_dropped_total')).toBe(0);
    expect(new Set(receiver.spans().map((s) => s.traceId)).size).toBe(10_000);
  });
});

describe('steady counting while the collector is down', () => {
  it('keeps counting new runs; spans past the outbox bound are dropped and counted', async () => {
    const clock = new ManualClock(T0);
    const { sim, baseUrl } = await startSimulator({ clock, serverVersion: '1.10.1' });
    cleanups.push(() => sim.close());
    const app = sim.addApp({ apiKey: KEY_A, name: 'bot' });
    const receiver = await OtlpReceiver.start();
    cleanups.push(() => receiver.close());
    receiver.mode = 'unavailable';
    const { exporter } = await startExporter({
      clock,
      maxOutboxSpans: 200,
      tracingEndpoint: receiver.tracesUrl,
      targets: [{ name: 'bot', base_url: baseUrl, api_key: KEY_A }],
    });
    cleanups.push(() => exporter.stop());
    await exporter.pollAllOnce();
    for (let i = 0; i < 20; i++) {
      clock.advance(15_000);
      for (let k = 0; k < 30; k++) app.addFinishedRun({ status: 'succeeded' });
      await exporter.pollAllOnce();
    }
    const s = await scrape(exporter);
    expect(sumOf(s, 'dify_workflow_runs_total', { app: 'bot' })).toBe(600);
    expect(sumOf(s, 'dify_exporter_span_queue_size')).toBeLessThanOrEqual(200);
    expect(sumOf(s, 'dify_exporter_spans_dropped_total', { reason: 'outbox_full' })).toBeGreaterThanOrEqual(400);
  });
});

describe('Dify upgrades', () => {
  it('target_info follows a new Dify version within ten minutes, without a restart', async () => {
    const clock = new ManualClock(T0);
    const { sim, baseUrl } = await startSimulator({ clock, serverVersion: '1.10.1' });
    cleanups.push(() => sim.close());
    sim.addApp({ apiKey: KEY_A, name: 'bot' });
    const { exporter } = await startExporter({ clock, targets: [{ name: 'bot', base_url: baseUrl, api_key: KEY_A }] });
    cleanups.push(() => exporter.stop());
    await exporter.pollAllOnce();
    expect(sumOf(await scrape(exporter), 'dify_exporter_target_info', { app: 'bot', server_version: '1.10.1' })).toBe(1);
    sim.serverVersion = '1.11.2';
    for (let i = 0; i < 45; i++) {
      clock.advance(15_000);
      await exporter.pollAllOnce();
    }
    const s = await scrape(exporter);
    expect(sumOf(s, 'dify_exporter_target_info', { app: 'bot', server_version: '1.11.2' })).toBe(1);
    expect(sumOf(s, 'dify_exporter_target_info', { app: 'bot' })).toBe(1);
  });
});
