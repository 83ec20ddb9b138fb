/**
 * Pending runs kept densely and saved as text, with the poller: runs that stay unfinished across
 * restarts are counted exactly once when they end, and what the poller learns about a pending run
 * between polls (its status, its run id, missed look-ups) is kept, also across a restart.
 */
import { describe, expect, it } from 'vitest';
import type { FinishedRun } from '../../src/model/run.js';
import { LogPoller, type PollOutcome } from '../../src/poller/log-poller.js';
import { TargetState } from '../../src/state/target-state.js';
import { defaultSettings, harness, type Harness } from '../poller/tampering-harness.js';
import { seededRandom } from '../helpers/random.js';

/** A restart: the state goes through the state file's text, a new poller counts into the same map. */
function restart(h: Harness, state: TargetState): { state: TargetState; poller: LogPoller } {
  const text = [...state.stateText('bot')].join('');
  const back = TargetState.fromJSON(JSON.parse(text));
  const poller = new LogPoller(h.client, back, h.clock, defaultSettings, (run: FinishedRun) => {
    h.counted.set(run.runId, (h.counted.get(run.runId) ?? 0) + 1);
  });
  return { state: back, poller };
}

describe('pending runs across polls and restarts', () => {
  it('hundreds of runs unfinished for hours, restarts in between: each counted once when it ends', async () => {
    const h = await harness();
    const random = seededRandom(21);
    let { state, poller } = { state: h.state, poller: h.poller };
    const open: string[] = [];
    const finish = (i: number) => {
      const [id] = open.splice(i, 1);
      h.app.finishRun(id as string, { status: random() < 0.8 ? 'succeeded' : 'failed', totalTokens: 10, totalSteps: 2, exceptionsCount: 0, error: null });
    };
    let last: PollOutcome | null = null;
    for (let poll = 0; poll < 120; poll++) {
      for (let i = 0; i < 20; i++) {
        const id = h.app.startRun();
        open.push(id);
        if (random() < 0.2) h.app.pauseRun(id);
      }
      // Most runs end within minutes, some after hours: both re-scans and look-ups are needed.
      for (let i = open.length - 1; i >= 0; i--) if (random() < 0.05) finish(i);
      h.clock.advance(random() < 0.1 ? 20 * 60_000 : 15_000);
      last = await poller.poll();
      if (poll % 17 === 16) ({ state, poller } = restart(h, state));
    }
    // Runs that ended since their last look are still pending until looked at again.
    expect(state.pending.size).toBeGreaterThanOrEqual(open.length);
    expect(last?.inProgress.running ?? 0 + (last?.inProgress.paused ?? 0)).toBeGreaterThan(0);
    while (open.length > 0) finish(open.length - 1);
    for (let i = 0; i < 40 && state.pending.size > 0; i++) {
      h.clock.advance(16 * 60_000);
      await poller.poll();
      if (i === 3) ({ state, poller } = restart(h, state));
    }
    expect(state.pending.size).toBe(0);
    const truth = h.app.finishedRuns().map((r) => r.runId);
    expect(truth.length).toBeGreaterThan(2_000);
    expect([...h.counted].filter(([, n]) => n !== 1)).toEqual([]);
    expect(new Set(h.counted.keys())).toEqual(new Set(truth));
  });

  it('a run seen running then paused is reported paused, and keeps the run id it was given', async () => {
    const h = await harness();
    const id = h.app.startRun();
    h.clock.advance(15_000);
    expect((await h.poller.poll()).inProgress).toEqual({ running: 1, paused: 0 });
    h.app.pauseRun(id);
    h.clock.advance(15_000);
    expect((await h.poller.poll()).inProgress).toEqual({ running: 0, paused: 1 });
    const { state, poller } = restart(h, h.state);
    expect([...state.pending.values()]).toMatchObject([{ runId: id, status: 'paused' }]);
    h.app.resumeRun(id);
    h.clock.advance(15_000);
    expect((await poller.poll()).inProgress).toEqual({ running: 1, paused: 0 });
  });

  it('look-ups that miss are counted across a restart: the third miss stops following the run', async () => {
    const h = await harness();
    const id = h.app.startRun();
    h.clock.advance(15_000);
    await h.poller.poll();
    // Its row no longer answers look-ups (as if deleted), while the run is old enough to be looked up.
    h.client.tamper = (q, page) => (q.keyword === id || q.keyword === undefined ? { ...page, data: page.data.filter((r) => (r as { workflow_run?: { id?: string } }).workflow_run?.id !== id), total: 0, has_more: false } : page);
    let state = h.state;
    let poller = h.poller;
    const misses: number[] = [];
    let dropped = 0;
    for (let i = 0; i < 12 && state.pending.size > 0; i++) {
      h.clock.advance(20 * 60_000);
      h.app.addFinishedRun(); // newer rows move the horizon past the lost one
      const out = await poller.poll();
      dropped += out.dropped.row_gone;
      misses.push(state.pending.get([...state.pending.values()][0]?.logId ?? '')?.misses ?? -1);
      if (i === 1) ({ state, poller } = restart(h, state));
    }
    expect(dropped).toBe(1);
    // The first poll after the horizon passed it still reads it by scan; then three look-ups miss
    // (the restart came after the first), and the run is dropped: not a fourth, not a sixth.
    expect(misses).toEqual([0, 1, 2, -1]);
    expect(h.counted.has(id)).toBe(false);
    expect(h.counted.size).toBe(misses.length);
  });
});
