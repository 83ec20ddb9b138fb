import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { DifySimulator } from '../../src/simulator/simulator.js';
import { get } from './http.js';

const T0 = Date.UTC(2025, 2, 1, 8, 0, 0);
let sim: DifySimulator | undefined;
afterEach(() => sim?.close());

async function setup(serverVersion: string) {
  const clock = new ManualClock(T0);
  sim = new DifySimulator({ clock, serverVersion });
  const app = sim.addApp({ apiKey: 'k', name: 'a' });
  const base = await sim.listen();
  const list = async () => (await get(base, '/workflows/logs', 'k')).json;
  return { clock, app, list };
}

describe('when Dify writes the log row', () => {
  it('1.11 and later: at start, the same row (id, created_at) later shows the final status', async () => {
    const { clock, app, list } = await setup('1.11.0');
    const run = app.startRun();
    const started = (await list()).data[0];
    expect(started).toMatchObject({ created_at: T0 / 1000, workflow_run: { id: run, status: 'running' } });
    clock.advance(3 * 3600_000);
    app.finishRun(run, { status: 'succeeded' });
    const finished = (await list()).data[0];
    expect(finished.id).toBe(started.id);
    expect(finished.created_at).toBe(T0 / 1000);
    expect(finished.workflow_run).toMatchObject({ status: 'succeeded', elapsed_time: 3 * 3600, finished_at: T0 / 1000 + 3 * 3600 });
    expect(app.inProgressRuns()).toEqual([]);
    expect(app.finishedRuns()).toMatchObject([{ runId: run, logId: started.id, createdAt: T0 / 1000, status: 'succeeded' }]);
  });

  it('before 1.11: only when the run ends, with created_at about the finish time', async () => {
    const { clock, app, list } = await setup('1.10.1');
    const run = app.startRun();
    app.pauseRun(run);
    expect((await list()).total).toBe(0);
    expect(app.inProgressRuns()).toMatchObject([{ runId: run, status: 'paused', logId: '' }]);
    clock.advance(90_000);
    app.resumeRun(run);
    app.finishRun(run, { status: 'stopped' });
    const row = (await list()).data[0];
    expect(row.created_at).toBe(T0 / 1000 + 90);
    expect(row.workflow_run).toMatchObject({ id: run, status: 'stopped', created_at: T0 / 1000, elapsed_time: 90 });
  });

  it('addFinishedRun puts the row at the current clock in both versions', async () => {
    for (const version of ['1.9.2', '1.13.0']) {
      const { app, list } = await setup(version);
      app.addFinishedRun({ elapsedSeconds: 30 });
      expect((await list()).data[0].created_at).toBe(T0 / 1000);
      await sim!.close();
    }
  });

  it('keeps unknown statuses as sent', async () => {
    const { app, list } = await setup('1.13.0');
    app.addFinishedRun({ status: 'scheduled' });
    expect((await list()).data[0].workflow_run.status).toBe('scheduled');
    expect(app.finishedRuns()[0]!.status).toBe('scheduled');
  });
});
