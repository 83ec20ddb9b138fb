/** What one recorded run adds to the run metrics: the right series, by status, trigger and source. */
import { describe, expect, it } from 'vitest';
import { defineMetrics } from '../../src/metrics/definitions.js';
import { MetricRegistry } from '../../src/metrics/exposition/registry.js';
import { RunRecorder } from '../../src/metrics/run-recorder.js';
import type { FinishedRun } from '../../src/model/run.js';
import { traceIdForRun, traceWordsForRun } from '../../src/tracing/ids.js';

let n = 0;
function run(over: Partial<FinishedRun>): FinishedRun {
  n++;
  return {
    logId: `log-${n}`,
    runId: `8f5d3c2a-1b4e-4f6a-9c7d-${n.toString(16).padStart(12, '0')}`,
    status: 'succeeded',
    rawStatus: 'succeeded',
    createdAt: 1_764_000_000,
    runCreatedAt: 1_764_000_000,
    finishedAt: 1_764_000_002,
    elapsedSeconds: 2,
    totalTokens: 10,
    totalSteps: 3,
    exceptionsCount: 0,
    triggeredFrom: 'app-run',
    createdFrom: 'service-api',
    createdByRole: 'end_user',
    workflowVersion: null,
    error: null,
    endUserId: null,
    sessionId: null,
    ...over,
  } as FinishedRun;
}

describe('RunRecorder', () => {
  it('counts each run once under its own status, triggered_from and created_from', async () => {
    const registry = new MetricRegistry();
    const recorder = new RunRecorder(defineMetrics(registry), { exemplars: true, traceWordsForRun });
    recorder.initApp('bot');
    const runs = [
      run({}),
      run({}),
      run({ triggeredFrom: 'debugging' }),
      run({ createdFrom: 'web-app' }),
      run({ triggeredFrom: 'debugging', createdFrom: 'web-app' }),
      run({ status: 'failed', rawStatus: 'failed', error: 'boom' }),
    ];
    for (const r of runs) recorder.record('bot', r);
    const text = await registry.render('prometheus');
    const line = (status: string, trig: string, src: string) =>
      `dify_workflow_runs_total{app="bot",status="${status}",triggered_from="${trig}",created_from="${src}"}`;
    expect(text).toContain(`${line('succeeded', 'app-run', 'service-api')} 2\n`);
    expect(text).toContain(`${line('succeeded', 'debugging', 'service-api')} 1\n`);
    expect(text).toContain(`${line('succeeded', 'app-run', 'web-app')} 1\n`);
    expect(text).toContain(`${line('succeeded', 'debugging', 'web-app')} 1\n`);
    expect(text).toContain(`${line('failed', 'app-run', 'service-api')} 1\n`);
    const om = await registry.render('openmetrics');
    const last = runs.at(-1)!;
    expect(om).toContain(`${line('failed', 'app-run', 'service-api')} 1 # {trace_id="${traceIdForRun(last.runId)}"} 1`);
  });

  it('counts runs under their trigger and source through streaks, alternations and an app made again', async () => {
    const registry = new MetricRegistry();
    const recorder = new RunRecorder(defineMetrics(registry), { exemplars: false, traceWordsForRun });
    recorder.initApp('bot');
    const expected = new Map<string, number>();
    const ways = [
      ['app-run', 'service-api'],
      ['webhook', 'service-api'],
      ['app-run', 'web-app'],
    ] as const;
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    let way = 0;
    for (let i = 0; i < 600; i++) {
      // Streaks of one way, then stretches where every run comes another way than the last.
      if (i % 100 >= 60 || next() < 0.1) way = (way + 1 + Math.floor(next() * 2)) % 3;
      if (i === 300) recorder.forgetApp('bot');
      if (i === 300) expected.clear();
      const [triggeredFrom, createdFrom] = ways[way]!;
      const status = next() < 0.2 ? 'failed' : 'succeeded';
      recorder.record('bot', run({ triggeredFrom, createdFrom, status, rawStatus: status }));
      const key = `dify_workflow_runs_total{app="bot",status="${status}",triggered_from="${triggeredFrom}",created_from="${createdFrom}"}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    const text = await registry.render('prometheus');
    const counted = new Map<string, number>();
    for (const line of text.split('\n')) {
      const m = /^(dify_workflow_runs_total\{app="bot"[^}]*\}) (\d+)$/.exec(line);
      if (m && Number(m[2]) > 0) counted.set(m[1]!, Number(m[2]));
    }
    expect(counted).toEqual(expected);
  });
});
