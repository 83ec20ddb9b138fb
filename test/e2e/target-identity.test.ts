/**
 * Unnamed targets take their name from GET /v1/info. When two apps on two servers share a name and
 * identify in a different order after a restart, each must keep its own state (keyed by server and
 * key) and its own label (the name saved with its state).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock.js';
import { T0, scrape, startExporter, startSimulator, tempDir } from './harness.js';
import { sumOf } from '../helpers/exposition.js';

const KEY_A = 'app-review-key-AAAAAAAAAAAA';
const KEY_B = 'app-review-key-BBBBBBBBBBBB';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('two unnamed targets whose apps share a name', () => {
  it('keep their own state across a restart even if they identified in a different order', async () => {
    const clock = new ManualClock(T0);
    const A = await startSimulator({ clock, serverVersion: '1.13.0', seed: 101 });
    const B = await startSimulator({ clock, serverVersion: '1.13.0', seed: 202 });
    cleanups.push(() => A.sim.close(), () => B.sim.close());
    const appA = A.sim.addApp({ apiKey: KEY_A, name: 'bot' });
    const appB = B.sim.addApp({ apiKey: KEY_B, name: 'bot' });
    const statePath = join(tempDir(), 'state.json');
    const targets = [
      { base_url: A.baseUrl, api_key: KEY_A },
      { base_url: B.baseUrl, api_key: KEY_B },
    ];

    // First start: A's server is briefly down, so B identifies first and takes the bare name.
    A.sim.faults.inject({ kind: 'http_500', path: '/v1/info', times: 5 });
    const first = await startExporter({ clock, targets, statePath });
    await first.exporter.pollAllOnce();
    clock.advance(15_000);
    await first.exporter.pollAllOnce();
    const names1 = first.exporter.targets().map((t) => t.app);
    const pausedA = appA.startRun();
    appA.pauseRun(pausedA);
    const pausedB = appB.startRun();
    appB.pauseRun(pausedB);
    for (let i = 0; i < 4; i++) {
      clock.advance(15_000);
      appA.addFinishedRun({ status: 'succeeded', totalTokens: 10 });
      appB.addFinishedRun({ status: 'succeeded', totalTokens: 10 });
      await first.exporter.pollAllOnce();
    }
    const tokens1 = sumOf(await scrape(first.exporter), 'dify_workflow_tokens_total');
    await first.exporter.stop();

    // Second start: both servers are up; A (targets[0]) answers first this time.
    B.sim.faults.inject({ kind: 'slow', path: '/v1/info', delayMs: 300 });
    const second = await startExporter({ clock, targets, statePath });
    cleanups.push(() => second.exporter.stop());
    await second.exporter.pollAllOnce();
    const names2 = second.exporter.targets().map((t) => t.app);
    appA.finishRun(pausedA, { status: 'succeeded', totalTokens: 1000 });
    appB.finishRun(pausedB, { status: 'succeeded', totalTokens: 1000 });
    for (let i = 0; i < 6; i++) {
      clock.advance(16 * 60_000);
      await second.exporter.pollAllOnce();
    }
    const tokens2 = sumOf(await scrape(second.exporter), 'dify_workflow_tokens_total');

    expect.soft(names2).toEqual(names1); // same target, same name, same state
    // Truth: 8 runs of 10 tokens and the two paused runs of 1000 tokens, each counted once.
    // Seen: 100 = the newest run of each app counted a second time, the two paused runs never.
    expect(tokens1 + tokens2).toBe(8 * 10 + 2 * 1000);
  });
});
