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
});
