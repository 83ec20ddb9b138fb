import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { DifyClient, type LogsQuery } from '../../src/dify/client.js';
import type { WireLogsPage } from '../../src/dify/wire.js';
import type { FinishedRun } from '../../src/model/run.js';
import { CatchUpBudget } from '../../src/poller/catch-up-budget.js';
import { LogPoller, type PollSettings } from '../../src/poller/log-poller.js';
import { TargetState } from '../../src/state/target-state.js';
import { DifySimulator, type SimApp } from '../../src/simulator/simulator.js';
import { seededRandom } from '../helpers/random.js';

const T0 = Date.UTC(2026, 10, 20, 12, 0, 0) + 300;
const settings: PollSettings = {
  pageLimit: 100,
  maxLookupsPerPoll: 20,
  rescanWindowMs: 10 * 60_000,
  pollIntervalMs: 15_000,
  overlapSeconds: 2,
  maxPendingRuns: 100_000,
  maxPendingAgeMs: 30 * 86_400_000,
  maxPagesPerPoll: 500,
};
const STATUSES = ['succeeded', 'succeeded', 'succeeded', 'failed', 'partial-succeeded', 'stopped'];

/**
 * A client whose every page request lets the world move on first: runs arrive while we page.
 * Pages asked for ahead (listLogsLater) count alike; `onPage` sees every page when it is read.
 */
class BusyWorldClient extends DifyClient {
  beforeRequest: (q: LogsQuery) => void = () => {};
  onPage: (q: LogsQuery, page: WireLogsPage) => void = () => {};
  override async listLogs(q: LogsQuery, signal?: AbortSignal) {
    this.beforeRequest(q);
    const page = await super.listLogs(q, signal);
    this.onPage(q, page);
    return page;
  }
  override async listLogsLater(q: LogsQuery, signal?: AbortSignal) {
    this.beforeRequest(q);
    const later = await super.listLogsLater(q, signal);
    return {
      read: async () => {
        const page = await later.read();
        this.onPage(q, page);
        return page;
      },
    };
  }
}

/** Drives one app: starts runs, pauses some for days, finishes others, all at random but seeded. */
class World {
  readonly inFlight: string[] = [];
  readonly paused = new Set<string>();
  constructor(
    readonly app: SimApp,
    readonly clock: ManualClock,
    readonly random: () => number,
  ) {}

  step(maxNew: number): void {
    this.clock.advance(Math.floor(this.random() * 1500));
    const n = Math.floor(this.random() * maxNew);
    for (let i = 0; i < n; i++) {
      const id = this.app.startRun({ triggeredFrom: this.random() < 0.1 ? 'schedule' : 'app-run' });
      this.inFlight.push(id);
      if (this.random() < 0.03) {
        this.app.pauseRun(id);
        this.paused.add(id);
      }
    }
    for (let i = this.inFlight.length - 1; i >= 0; i--) {
      const id = this.inFlight[i] as string;
      const p = this.paused.has(id) ? 0.01 : 0.35;
      if (this.random() < p) this.finish(i);
    }
  }

  finish(index: number): void {
    const id = this.inFlight[index] as string;
    this.inFlight.splice(index, 1);
    this.paused.delete(id);
    const status = STATUSES[Math.floor(this.random() * STATUSES.length)] as string;
    this.app.finishRun(id, {
      status,
      totalTokens: Math.floor(this.random() * 50_000),
      totalSteps: 1 + Math.floor(this.random() * 30),
      exceptionsCount: status === 'partial-succeeded' ? 1 : 0,
      error: status === 'failed' ? 'node llm failed' : null,
    });
  }

  finishAll(): void {
    while (this.inFlight.length > 0) this.finish(this.inFlight.length - 1);
  }
}

interface Harness {
  sim: DifySimulator;
  app: SimApp;
  clock: ManualClock;
  client: BusyWorldClient;
  counted: Map<string, number>;
  runs: FinishedRun[];
  poller(state: TargetState, overrides?: Partial<PollSettings>): LogPoller;
}

const sims: DifySimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function harness(serverVersion: string, seed = 1, commitDelayMs = 1500): Promise<Harness> {
  const clock = new ManualClock(T0);
  // Rows commit up to 1.5 s after the time they carry, so newer rows can be seen before older ones.
  const sim = new DifySimulator({ clock, serverVersion, seed, commitDelayMs });
  sims.push(sim);
  const app = sim.addApp({ apiKey: 'app-test-key', name: 'support-bot' });
  const baseUrl = await sim.listen();
  const client = new BusyWorldClient({ baseUrl, apiKey: 'app-test-key', clock, backoff: { baseMs: 1, maxMs: 5 }, random: seededRandom(seed) });
  const counted = new Map<string, number>();
  const runs: FinishedRun[] = [];
  const onRun = (run: FinishedRun) => {
    counted.set(run.runId, (counted.get(run.runId) ?? 0) + 1);
    runs.push(run);
  };
  return { sim, app, clock, client, counted, runs, poller: (state, overrides) => new LogPoller(client, state, clock, { ...settings, ...overrides }, onRun) };
}

/** Ends the world's unfinished runs, then polls 16 minutes apart long enough for every look-up. */
async function finishAndDrain(h: Harness, world: World, poller: LogPoller, polls = 30): Promise<void> {
  h.client.beforeRequest = () => {};
  world.finishAll();
  for (let i = 0; i < polls; i++) {
    h.clock.advance(16 * 60_000);
    await poller.poll();
  }
}

function expectExactlyOnce(h: Harness, horizon0: number): void {
  const truth = h.app.finishedRuns().filter((r) => r.createdAt >= horizon0);
  const doubles = [...h.counted].filter(([, n]) => n !== 1);
  expect(doubles).toEqual([]);
  expect(new Set(h.counted.keys())).toEqual(new Set(truth.map((r) => r.runId)));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  expect(sum(h.runs.map((r) => r.totalTokens))).toBe(sum(truth.map((r) => r.totalTokens)));
  expect(sum(h.runs.map((r) => r.totalSteps))).toBe(sum(truth.map((r) => r.totalSteps)));
  const byStatus = (xs: { status: string }[]) => xs.reduce<Record<string, number>>((m, r) => ((m[r.status] = (m[r.status] ?? 0) + 1), m), {});
  expect(byStatus(h.runs)).toEqual(byStatus(truth));
}

describe('LogPoller: every finished run counted exactly once', () => {
  for (const version of ['1.13.0', '1.10.1']) {
    it(`thousands of runs arriving while pages are read, runs paused across many polls (Dify ${version})`, async () => {
      const h = await harness(version, 7);
      const random = seededRandom(42);
      const world = new World(h.app, h.clock, random);
      const state = new TargetState(Math.floor(h.clock.now() / 1000));
      const horizon0 = state.horizon;
      const poller = h.poller(state);
      h.client.beforeRequest = () => world.step(25);
      for (let i = 0; i < 120; i++) {
        for (let j = 0; j < 10; j++) world.step(60);
        await poller.poll();
        if (i % 40 === 39) h.clock.advance(3 * 86_400_000); // paused runs stay paused for days
      }
      await finishAndDrain(h, world, poller, 40);
      expect(h.app.finishedRuns().length).toBeGreaterThan(3000);
      expectExactlyOnce(h, horizon0);
      expect(state.pending.size).toBe(0);
    });
  }

  it('a restart from the saved state neither re-counts nor skips a run', async () => {
    const h = await harness('1.13.0', 3);
    const world = new World(h.app, h.clock, seededRandom(5));
    let state = new TargetState(Math.floor(h.clock.now() / 1000));
    const horizon0 = state.horizon;
    let poller = h.poller(state);
    h.client.beforeRequest = () => world.step(10);
    for (let i = 0; i < 60; i++) {
      for (let j = 0; j < 5; j++) world.step(30);
      await poller.poll();
      if (i % 15 === 7) {
        // Process restarts: only what was saved after the last completed poll survives.
        state = TargetState.fromJSON(JSON.parse(JSON.stringify(state.toJSON())));
        poller = h.poller(state);
        for (let j = 0; j < 20; j++) world.step(30); // runs start and finish while we are down
      }
    }
    await finishAndDrain(h, world, poller);
    expectExactlyOnce(h, horizon0);
  });

  it('faults (5xx, 429, resets, malformed bodies) delay counting but never lose or repeat a run', async () => {
    const h = await harness('1.13.0', 11);
    const random = seededRandom(9);
    const world = new World(h.app, h.clock, random);
    const state = new TargetState(Math.floor(h.clock.now() / 1000));
    const horizon0 = state.horizon;
    const poller = h.poller(state);
    const kinds = ['http_500', 'http_502', 'http_503', 'reset', 'malformed_json', 'wrong_shape'] as const;
    let failed = 0;
    h.client.beforeRequest = () => {
      world.step(20);
      if (random() < 0.15) h.sim.faults.inject({ kind: kinds[Math.floor(random() * kinds.length)] as (typeof kinds)[number], times: 1 + Math.floor(random() * 6) });
    };
    for (let i = 0; i < 80; i++) {
      for (let j = 0; j < 5; j++) world.step(40);
      await poller.poll().catch(() => failed++);
    }
    h.sim.faults.clear();
    await finishAndDrain(h, world, poller);
    expect(failed).toBeGreaterThan(0);
    expectExactlyOnce(h, horizon0);
  });

  it('a backlog read window by window, pages asked for ahead, loses or repeats nothing when pages fail', async () => {
    const h = await harness('1.13.0', 12);
    h.app.addFinishedBacklog(6_000, { fromMs: T0 - 3_600_000, toMs: T0 - 60_000, seed: 12 });
    const state = new TargetState(Math.floor((T0 - 2 * 3_600_000) / 1000));
    const horizon0 = state.horizon;
    const poller = h.poller(state, { maxPagesPerPoll: 40 });
    const random = seededRandom(13);
    let failed = 0;
    // Runs counted when a window's first and second pages are asked for: the same when page 2 is
    // asked for while page 1 is handled.
    const countedAt = new Map<string, number[]>();
    h.client.beforeRequest = (q) => {
      if (random() < 0.1) h.sim.faults.inject({ kind: random() < 0.5 ? 'http_503' : 'reset', times: 1 + Math.floor(random() * 10) });
      if (q.before !== undefined && q.limit !== 1 && q.page <= 2) {
        const key = `${q.after}-${q.before}`;
        countedAt.set(key, [...(countedAt.get(key) ?? []), h.runs.length]);
      }
    };
    for (let i = 0; i < 60 && h.counted.size < 6_000; i++) {
      h.clock.advance(1_000);
      await poller.poll().catch(() => failed++);
    }
    h.client.beforeRequest = () => {};
    h.sim.faults.clear();
    for (let i = 0; i < 10; i++) {
      h.clock.advance(15_000);
      await poller.poll();
    }
    expect(failed).toBeGreaterThan(0);
    const firstTwo = [...countedAt.values()].filter((c) => c.length === 2);
    expect(firstTwo.length).toBeGreaterThan(0);
    for (const [page1, page2] of firstTwo) expect(page2).toBe(page1);
    expectExactlyOnce(h, horizon0);
  });

  it('counts nothing older than the first start (initial lookback 0)', async () => {
    const h = await harness('1.13.0', 1, 0);
    for (let i = 0; i < 50; i++) h.app.addFinishedRun({ status: 'succeeded' });
    h.clock.advance(5_000);
    const state = new TargetState(Math.floor(h.clock.now() / 1000));
    const poller = h.poller(state);
    await poller.poll();
    expect(h.runs).toEqual([]);
    h.clock.advance(1_000);
    h.app.addFinishedRun({ status: 'failed', totalTokens: 12 });
    await poller.poll();
    expect(h.runs.map((r) => [r.status, r.totalTokens])).toEqual([['failed', 12]]);
  });

  it('an idle app costs one request per poll', async () => {
    const h = await harness('1.13.0');
    const state = new TargetState(Math.floor(h.clock.now() / 1000));
    const poller = h.poller(state);
    for (let i = 0; i < 3; i++) h.app.addFinishedRun({ status: 'succeeded' });
    await poller.poll();
    const before = h.sim.requestCount();
    for (let i = 0; i < 10; i++) {
      h.clock.advance(15_000);
      await poller.poll();
    }
    expect(h.sim.requestCount() - before).toBe(10);
    expect(h.runs).toHaveLength(3);
  });

  it('a workflow_run: null row is retried later and counted once it has its run', async () => {
    const h = await harness('1.10.1', 1, 0);
    const state = new TargetState(Math.floor(h.clock.now() / 1000));
    const poller = h.poller(state);
    const id = h.app.addFinishedRun({ status: 'succeeded', totalTokens: 99 });
    h.app.setRunNullFor(id, 2);
    await poller.poll();
    expect(h.runs).toHaveLength(0);
    h.clock.advance(15_000);
    await poller.poll();
    h.clock.advance(15_000);
    await poller.poll();
    expect(h.runs.map((r) => r.totalTokens)).toEqual([99]);
  });

  it('an unknown status is counted once as "unknown"', async () => {
    const h = await harness('1.13.0');
    const state = new TargetState(Math.floor(h.clock.now() / 1000));
    const poller = h.poller(state);
    const id = h.app.startRun();
    await poller.poll();
    h.app.finishRun(id, { status: 'exploded' });
    h.clock.advance(15_000);
    await poller.poll();
    await poller.poll();
    expect(h.runs.map((r) => [r.status, r.rawStatus])).toEqual([['unknown', 'exploded']]);
  });

  describe('catching up a backlog', () => {
    it('reads a backlog larger than the page budget oldest first over several polls, keeping up with new runs', async () => {
      const h = await harness('1.13.0', 21);
      const state = new TargetState(Math.floor(h.clock.now() / 1000) - 3 * 3600);
      const horizon0 = state.horizon;
      h.app.addFinishedBacklog(30_000, { fromMs: horizon0 * 1000, toMs: h.clock.now(), seed: 4 });
      const world = new World(h.app, h.clock, seededRandom(8));
      h.client.beforeRequest = () => world.step(3);
      const poller = h.poller(state, { maxPagesPerPoll: 60 });
      const before = h.sim.requestCount();
      let polls = 0;
      for (let more = true; more && polls < 40; polls++) {
        const outcome = await poller.poll();
        expect(outcome.pages).toBeLessThanOrEqual(60 + 1);
        more = outcome.more;
      }
      expect(polls).toBeGreaterThan(4);
      // 300 pages of backlog: windows cost a few probes more, not a multiple.
      expect(h.sim.requestCount() - before).toBeLessThan(300 * 1.25 + polls * 3);
      await finishAndDrain(h, world, poller);
      expectExactlyOnce(h, horizon0);
    });

    it('a backlog costs few requests beyond its pages: windows filled, sized by their first page, no count after each', async () => {
      const h = await harness('1.10.1', 25, 0);
      // Rows over the last day of a two-day lookback: the first guess of a window is half too small.
      const state = new TargetState(Math.floor(h.clock.now() / 1000) - 2 * 86_400);
      const horizon0 = state.horizon;
      h.app.addFinishedBacklog(20_000, { fromMs: h.clock.now() - 86_400_000, toMs: h.clock.now() - 60_000, seed: 7 });
      const before = h.sim.requestCount();
      const outcome = await h.poller(state).poll();
      expect(outcome.more).toBe(false);
      expect(h.runs).toHaveLength(20_000);
      expectExactlyOnce(h, horizon0);
      // 200 pages of rows, and per window at most its partial last page (221 requests here; 248
      // when each window was sized by counting, left half-filled and followed by a count).
      expect(h.sim.requestCount() - before).toBeLessThanOrEqual(200 + 25);
    });

    it('a backlog far above the horizon is sized from its first row, not over the empty seconds below it', async () => {
      const h = await harness('1.10.1', 28, 0);
      // 10,000 rows in the last two hours of a two-day look-back.
      const state = new TargetState(Math.floor(h.clock.now() / 1000) - 2 * 86_400);
      const horizon0 = state.horizon;
      h.app.addFinishedBacklog(10_000, { fromMs: h.clock.now() - 7_200_000, toMs: h.clock.now() - 60_000, seed: 10 });
      const before = h.sim.requestCount();
      const outcome = await h.poller(state).poll();
      expect(outcome.more).toBe(false);
      expect(h.runs).toHaveLength(10_000);
      expectExactlyOnce(h, horizon0);
      // 100 pages of rows, the newest page, the one row that tells where rows start, and the
      // windows' partial last pages (106 here; 132 when windows were sized from the horizon, each
      // empty one followed by a probe of a full page).
      expect(h.sim.requestCount() - before).toBeLessThanOrEqual(100 + 10);
    });

    it.each([
      ['fails', (h: Harness) => (h.client.beforeRequest = (q) => { if (q.limit === 1 && q.page > 1) throw new Error('connection reset'); })],
      ['gives a row without a readable created_at', (h: Harness) => (h.client.onPage = (q, page) => { if (q.limit === 1 && q.page > 1) for (const row of page.data) (row as { created_at: unknown }).created_at = 'not a time'; })],
    ])('a backlog is read all the same when the request for its first row %s', async (_what, spoil) => {
      const h = await harness('1.10.1', 29, 0);
      const state = new TargetState(Math.floor(h.clock.now() / 1000) - 2 * 86_400);
      const horizon0 = state.horizon;
      h.app.addFinishedBacklog(3_000, { fromMs: h.clock.now() - 7_200_000, toMs: h.clock.now() - 60_000, seed: 11 });
      spoil(h);
      const outcome = await h.poller(state).poll();
      expect(outcome.more).toBe(false);
      expect(h.runs).toHaveLength(3_000);
      expectExactlyOnce(h, horizon0);
    });

    it('the backlog\'s first row is asked for once, by the first poll that reads a window, not by one that found no room', async () => {
      const h = await harness('1.10.1', 30, 0);
      const state = new TargetState(Math.floor(h.clock.now() / 1000) - 2 * 86_400);
      h.app.addFinishedBacklog(10_000, { fromMs: h.clock.now() - 7_200_000, toMs: h.clock.now() - 60_000, seed: 12 });
      let firstRowRequests = 0;
      h.client.beforeRequest = (q) => {
        if (q.limit === 1 && q.page > 1) firstRowRequests++;
      };
      // No span room in the first poll: it reads no window and leaves the backlog for the next.
      let room = 0;
      const runs = new Set<string>();
      const poller = new LogPoller(h.client, state, h.clock, settings, (run) => runs.add(run.runId), new CatchUpBudget(() => room));
      expect((await poller.poll()).more).toBe(true);
      expect(firstRowRequests).toBe(0);
      room = 10_000;
      const before = h.sim.requestCount();
      let polls = 0;
      for (let more = true; more && polls < 10; polls++) more = (await poller.poll()).more;
      expect(runs.size).toBe(10_000);
      expect(firstRowRequests).toBe(1);
      // As in one poll from the start (106 requests): the windows were sized from the first row.
      expect(h.sim.requestCount() - before).toBeLessThanOrEqual(100 + 10);
    });

    it('a burst of more than an open scan in the last seconds is read in one go, not window after window', async () => {
      const h = await harness('1.10.1', 26, 0);
      const state = new TargetState(Math.floor(h.clock.now() / 1000) - 3600);
      const horizon0 = state.horizon;
      h.app.addFinishedBacklog(5_000, { fromMs: h.clock.now() - 3_000_000, toMs: h.clock.now() - 600_000, seed: 8 });
      // 3,000 rows in the last two seconds: they cannot be read in closed windows yet.
      h.app.addFinishedBacklog(3_000, { fromMs: h.clock.now() - 2_000, toMs: h.clock.now(), seed: 9 });
      const before = h.sim.requestCount();
      const outcome = await h.poller(state).poll();
      expect(outcome.more).toBe(false);
      expect(h.runs).toHaveLength(8_000);
      expectExactlyOnce(h, horizon0);
      // 80 pages of rows, the windows' partial pages and probes (107 here); not the whole page
      // budget (500) spent on windows over the same last seconds, the burst left for later.
      expect(h.sim.requestCount() - before).toBeLessThan(120);
    });

    it('targets sharing little span room all catch up at once: room is claimed page by page', async () => {
      const clock = new ManualClock(T0);
      const sim = new DifySimulator({ clock, serverVersion: '1.10.1', seed: 27 });
      sims.push(sim);
      const baseUrl = await sim.listen();
      // Room for 1,000 spans (an outbox of 2,000): one window used to claim it all for its rows,
      // and the other targets waited for the next poll.
      const budget = new CatchUpBudget(() => 1_000);
      const targets = Array.from({ length: 8 }, (_, i) => {
        const app = sim.addApp({ apiKey: `app-share-${i}`, name: `bot-${i}` });
        app.addFinishedBacklog(3_000, { fromMs: T0 - 3_600_000, toMs: T0 - 60_000, seed: 30 + i });
        const client = new DifyClient({ baseUrl, apiKey: app.apiKey, clock, random: seededRandom(i) });
        const runs: FinishedRun[] = [];
        const state = new TargetState(Math.floor(T0 / 1000) - 2 * 3600);
        return { runs, poller: new LogPoller(client, state, clock, settings, (run) => runs.push(run), budget) };
      });
      const outcomes = await Promise.all(targets.map((t) => t.poller.poll()));
      expect(outcomes.map((o) => o.more)).toEqual(targets.map(() => false));
      expect(targets.map((t) => new Set(t.runs.map((r) => r.runId)).size)).toEqual(targets.map(() => 3_000));
      expect(targets.map((t) => t.runs.length)).toEqual(targets.map(() => 3_000));
      expect(budget.available()).toBe(1_000);
    });

    it('a poll after one that left a backlog counts the backlog instead of reading its newest page', async () => {
      const h = await harness('1.13.0', 21);
      const state = new TargetState(Math.floor(h.clock.now() / 1000) - 3 * 3600);
      const horizon0 = state.horizon;
      h.app.addFinishedBacklog(20_000, { fromMs: horizon0 * 1000, toMs: h.clock.now() - 60_000, seed: 6 });
      let rowsRead = 0;
      h.client.onPage = (_q, page) => {
        rowsRead += page.data.length;
      };
      const poller = h.poller(state, { maxPagesPerPoll: 30 });
      let polls = 0;
      for (let more = true; more && polls < 40; polls++) more = (await poller.poll()).more;
      expect(polls).toBeGreaterThan(5);
      expectExactlyOnce(h, horizon0);
      expect(h.runs).toHaveLength(20_000);
      // Rows read twice: the newest page the first poll reads before it knows of the backlog, and
      // the overlap the last poll reads again; not a page per poll (830 rows here when it did).
      expect(rowsRead - 20_000).toBeLessThanOrEqual(200);
    });

    it('gets through a dense burst (thousands of rows a second) long past', async () => {
      const h = await harness('1.10.1', 24, 0);
      const state = new TargetState(Math.floor(h.clock.now() / 1000) - 3600);
      const horizon0 = state.horizon;
      h.app.addFinishedBacklog(20_000, { fromMs: h.clock.now() - 1_800_000, toMs: h.clock.now() - 1_792_000, seed: 5 });
      const poller = h.poller(state, { maxPagesPerPoll: 60, overlapSeconds: 5 });
      let polls = 0;
      for (let more = true; more && polls < 20; polls++) more = (await poller.poll()).more;
      expect(polls).toBeLessThan(20);
      expectExactlyOnce(h, horizon0);
    });

    it('keeps the progress of a poll cut short (stop or failure) window by window', async () => {
      const h = await harness('1.10.1', 22, 0);
      const state = new TargetState(Math.floor(h.clock.now() / 1000));
      const horizon0 = state.horizon;
      const poller = h.poller(state);
      await poller.poll();
      h.clock.advance(3_600_000); // an hour down
      h.app.addFinishedBacklog(10_000, { fromMs: horizon0 * 1000 + 1000, toMs: h.clock.now() - 1000, seed: 9 });
      const abort = new AbortController();
      let requests = 0;
      h.client.beforeRequest = () => {
        if (++requests === 80) abort.abort(); // SIGTERM while reading page 80 of ~100
      };
      await expect(poller.poll(abort.signal)).rejects.toThrow();
      const horizonAfterAbort = state.horizon;
      expect(horizonAfterAbort).toBeGreaterThan(horizon0 + 1800);
      requests = 0;
      await poller.poll();
      expect(requests).toBeLessThan(50);
      expectExactlyOnce(h, horizon0);
    });

    it('gives up on runs stuck "running" for longer than max_pending_age', async () => {
      const h = await harness('1.13.0', 23, 0);
      const state = new TargetState(Math.floor(h.clock.now() / 1000));
      const poller = h.poller(state, { maxPendingAgeMs: 7 * 86_400_000 });
      for (let i = 0; i < 30; i++) h.app.startRun(); // their worker crashed: Dify shows them running for ever
      const live = h.app.startRun();
      h.app.pauseRun(live);
      await poller.poll();
      expect(state.pending.size).toBe(31);
      h.clock.advance(5 * 86_400_000);
      h.app.finishRun(live, { status: 'succeeded', totalTokens: 5 });
      await poller.poll();
      await poller.poll();
      expect(h.runs.map((r) => r.totalTokens)).toEqual([5]);
      h.clock.advance(3 * 86_400_000);
      const outcome = await poller.poll();
      expect(outcome.dropped.expired).toBe(30);
      expect(state.pending.size).toBe(0);
    });
  });

  it('a window given up for lack of span room, or cut short by a failed page, is read again without "late" rows', async () => {
    // Rows commit at once: any lateness measured here is the poller's own mistake.
    const h = await harness('1.13.0', 33, 0);
    const state = new TargetState(Math.floor(h.clock.now() / 1000) - 3600);
    const horizon0 = state.horizon;
    h.app.addFinishedBacklog(6_000, { fromMs: horizon0 * 1000, toMs: h.clock.now() - 60_000, seed: 8 });
    // Room for 250 spans that only drains between polls: windows are given up part-read.
    let queued = 0;
    const budget = new CatchUpBudget(
      () => Math.max(0, 250 - queued),
      async () => h.clock.advance(1),
    );
    const poller = new LogPoller(h.client, state, h.clock, settings, (run) => {
      queued++;
      h.counted.set(run.runId, (h.counted.get(run.runId) ?? 0) + 1);
      h.runs.push(run);
    }, budget);
    let failAt = 40;
    h.client.beforeRequest = (q) => {
      if (q.before !== undefined && q.page > 1 && --failAt === 0) throw new Error('connection reset');
    };
    let late = 0;
    let failed = 0;
    let polls = 0;
    for (let more = true; (more || failAt > 0) && polls < 200; polls++) {
      try {
        const outcome = await poller.poll();
        late = Math.max(late, outcome.lateSeconds);
        more = outcome.more;
      } catch {
        failed++;
      }
      queued = 0;
      h.clock.advance(500);
    }
    expect(failed).toBe(1);
    expect(polls).toBeGreaterThan(20);
    expect(late).toBe(0);
    expectExactlyOnce(h, horizon0);
  });

  it('after a poll cut short, the next one moves the horizon past the rows both read (an idle poll then costs one request)', async () => {
    const h = await harness('1.13.0', 34, 0);
    const state = new TargetState(Math.floor(h.clock.now() / 1000) - 600);
    const poller = h.poller(state);
    for (let i = 0; i < 500; i++) {
      h.clock.advance(700);
      h.app.addFinishedRun({ status: 'succeeded' });
    }
    h.clock.advance(10_000);
    let fail = true;
    h.client.beforeRequest = (q) => {
      if (fail && q.page === 3) {
        fail = false;
        throw new Error('connection reset');
      }
    };
    await expect(poller.poll()).rejects.toThrow('connection reset');
    await poller.poll();
    const newestRow = Math.max(...h.app.finishedRuns().map((r) => r.createdAt));
    expect(state.newest).toBe(newestRow);
    const before = h.sim.requestCount();
    h.clock.advance(15_000);
    await poller.poll();
    expect(h.sim.requestCount() - before).toBe(1);
    expectExactlyOnce(h, Math.floor(T0 / 1000) - 600);
  });

  it('measures how late rows commit, so the overlap can be set above it; with it, none is missed', async () => {
    const h = await harness('1.10.1', 31, 8_000);
    const state = new TargetState(Math.floor(h.clock.now() / 1000));
    const poller = h.poller(state, { overlapSeconds: 10 });
    let late = 0;
    for (let s = 0; s < 300; s++) {
      h.clock.advance(1_000);
      for (let k = 0; k < 3; k++) h.app.addFinishedRun({ status: 'succeeded' });
      if (s % 15 === 14) late = Math.max(late, (await poller.poll()).lateSeconds);
    }
    for (let i = 0; i < 3; i++) {
      h.clock.advance(15_000);
      await poller.poll();
    }
    expect(late).toBeGreaterThanOrEqual(5);
    expect(late).toBeLessThanOrEqual(9);
    expectExactlyOnce(h, Math.floor(T0 / 1000));
  });
});
