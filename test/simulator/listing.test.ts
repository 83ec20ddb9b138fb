import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { DifySimulator, type SimApp } from '../../src/simulator/simulator.js';
import { get, qs } from './http.js';

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const KEY = 'app-listing-key';

let clock: ManualClock;
let sim: DifySimulator;
let app: SimApp;
let base: string;

beforeEach(async () => {
  clock = new ManualClock(T0);
  sim = new DifySimulator({ clock });
  app = sim.addApp({ apiKey: KEY, name: 'listing' });
  base = await sim.listen();
});
afterEach(() => sim.close());

const logs = (params: Record<string, string | number> = {}) => get(base, '/workflows/logs' + qs(params), KEY);
const ids = (body: any): string[] => body.data.map((r: any) => r.workflow_run.id);

describe('GET /v1/workflows/logs', () => {
  it('returns rows newest first with Dify field shapes and whole-second timestamps', async () => {
    const first = app.startRun({ inputs: { q: 'a' } });
    clock.advance(1500);
    app.finishRun(first, { status: 'succeeded', totalTokens: 321, totalSteps: 4, exceptionsCount: 1 });
    const second = app.addFinishedRun({ status: 'failed', error: 'boom', triggeredFrom: null, createdByRole: 'account' });
    const { status, json } = await logs();
    expect(status).toBe(200);
    expect(json).toMatchObject({ page: 1, limit: 20, total: 2, has_more: false });
    expect(ids(json)).toEqual([second, first]);
    const [newest, oldest] = json.data;
    expect(Object.keys(oldest)).toEqual([
      'id', 'workflow_run', 'created_from', 'created_by_role', 'created_by_account', 'created_by_end_user', 'created_at', 'details',
    ]);
    expect(oldest.workflow_run).toEqual({
      id: first,
      version: expect.any(String),
      status: 'succeeded',
      triggered_from: 'app-run',
      error: null,
      elapsed_time: 1.5,
      total_tokens: 321,
      total_steps: 4,
      created_at: T0 / 1000,
      finished_at: T0 / 1000 + 1,
      exceptions_count: 1,
    });
    expect(oldest.created_by_end_user).toMatchObject({ type: 'service_api', is_anonymous: false, session_id: 'sim-user' });
    expect(oldest.created_by_account).toBeNull();
    expect(oldest.details).toBeNull();
    expect(newest.workflow_run).not.toHaveProperty('triggered_from');
    expect(newest.workflow_run.error).toBe('boom');
    expect(newest.created_by_account).toMatchObject({ id: expect.any(String) });
    expect(newest.created_by_end_user).toBeNull();
    expect(newest.created_at).toBe(Math.floor((T0 + 1500) / 1000));
  });

  it('pages with offset (page-1)*limit, total of all matches and has_more = total > page*limit', async () => {
    const made: string[] = [];
    for (let i = 0; i < 7; i++) {
      made.push(app.addFinishedRun());
      clock.advance(1000);
    }
    const p1 = await logs({ limit: 3, page: 1 });
    const p3 = await logs({ limit: 3, page: 3 });
    const p4 = await logs({ limit: 3, page: 4 });
    expect(p1.json).toMatchObject({ page: 1, limit: 3, total: 7, has_more: true });
    expect(ids(p1.json)).toEqual(made.slice(4).reverse());
    expect(p3.json).toMatchObject({ page: 3, total: 7, has_more: false });
    expect(ids(p3.json)).toEqual([made[0]]);
    expect(p4.json).toMatchObject({ total: 7, has_more: false, data: [] });
    const exact = await logs({ limit: 7 });
    expect(exact.json.has_more).toBe(false);
  });

  it('lets a row arriving between two page requests push an old row onto the next page', async () => {
    const made: string[] = [];
    for (let i = 0; i < 4; i++) {
      made.push(app.addFinishedRun());
      clock.advance(1000);
    }
    const p1 = await logs({ limit: 2, page: 1 });
    const arrived = app.addFinishedRun();
    const p2 = await logs({ limit: 2, page: 2 });
    expect(ids(p1.json)).toEqual([made[3], made[2]]);
    expect(ids(p2.json)).toEqual([made[2], made[1]]);
    expect(p2.json.total).toBe(5);
    expect(ids((await logs()).json)[0]).toBe(arrived);
  });

  it('keeps equal created_at rows in insertion order only (later insert first), no id tie-break', async () => {
    const a = app.addFinishedRun();
    const b = app.addFinishedRun();
    const c = app.addFinishedRun();
    expect(ids((await logs()).json)).toEqual([c, b, a]);
  });

  it('applies both bounds inclusively against the stored microseconds', async () => {
    const atSecond = app.addFinishedRun(); // T0.000
    clock.advance(500);
    const halfPast = app.addFinishedRun(); // T0.5, displayed as T0
    clock.advance(500);
    const next = app.addFinishedRun(); // T0+1
    const iso = new Date(T0).toISOString();
    const before = await logs({ created_at__before: iso });
    expect(ids(before.json)).toEqual([atSecond]);
    expect(before.json.data[0].created_at).toBe(T0 / 1000);
    const after = await logs({ created_at__after: iso });
    expect(ids(after.json)).toEqual([next, halfPast, atSecond]);
    const afterNext = await logs({ created_at__after: new Date(T0 + 1000).toISOString() });
    expect(ids(afterNext.json)).toEqual([next]);
    const both = await logs({ created_at__after: iso, created_at__before: new Date(T0 + 999).toISOString() });
    expect(ids(both.json)).toEqual([halfPast, atSecond]);
    expect((await logs({ created_at__after: '2025-06-01T14:00:00+02:00' })).json.total).toBe(3);
    expect((await logs({ created_at__after: '2025-06-02' })).json.total).toBe(0);
    expect((await logs({ created_at__after: '', created_at__before: '' })).json.total).toBe(3);
  });

  it('rejects a "+" offset that arrived as a space (clients must send %2B)', async () => {
    const res = await get(base, '/workflows/logs?created_at__after=2025-06-01T14:00:00+02:00', KEY);
    expect(res.status).toBe(400);
    expect(res.json.code).toBe('invalid_param');
  });

  it.each([
    [{ page: 0 }],
    [{ page: 100000 }],
    [{ page: 'x' }],
    [{ limit: 0 }],
    [{ limit: 101 }],
    [{ limit: '2.5' }],
    [{ status: 'partial-succeeded' }],
    [{ status: 'running' }],
    [{ created_at__before: 'yesterday' }],
  ])('answers 400 invalid_param for %j', async (params) => {
    const res = await logs(params as Record<string, string | number>);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ code: 'invalid_param', message: expect.any(String), status: 400 });
  });

  it('accepts the range edges page=99999 and limit=100', async () => {
    app.addFinishedRun();
    expect((await logs({ page: 99999, limit: 100 })).json).toMatchObject({ total: 1, data: [] });
  });

  it('filters by status succeeded|failed|stopped only, counting total over the filter', async () => {
    for (const status of ['succeeded', 'failed', 'succeeded', 'stopped', 'partial-succeeded']) app.addFinishedRun({ status });
    app.startRun();
    const ok = await logs({ status: 'succeeded', limit: 1 });
    expect(ok.json).toMatchObject({ total: 2, has_more: true });
    expect(ok.json.data[0].workflow_run.status).toBe('succeeded');
    expect((await logs({ status: 'stopped' })).json.total).toBe(1);
    expect((await logs()).json.total).toBe(6);
  });

  it('filters by keyword: inputs/outputs/session id substring (case-insensitive, 30 chars) or exact run id', async () => {
    const alpha = app.addFinishedRun({ inputs: { query: 'Where is my Parcel? It is three days late' } });
    const beta = app.addFinishedRun({ sessionId: 'customer_42', outputs: { answer: 'Refund issued' } });
    const gamma = app.addFinishedRun({ inputs: { query: 'hello' } });
    expect(ids((await logs({ keyword: 'parcel' })).json)).toEqual([alpha]);
    expect(ids((await logs({ keyword: 'REFUND' })).json)).toEqual([beta]);
    expect(ids((await logs({ keyword: 'customer_42' })).json)).toEqual([beta]);
    expect(ids((await logs({ keyword: gamma })).json)).toEqual([gamma]);
    expect(ids((await logs({ keyword: gamma.toUpperCase() })).json)).toEqual([gamma]);
    // Only the first 30 characters count: the tail is ignored.
    const first30 = 'where is my parcel? it is thre';
    expect(ids((await logs({ keyword: first30 + ' (never stored)' })).json)).toEqual([alpha]);
    expect((await logs({ keyword: first30.slice(0, 29) + 'X' })).json.total).toBe(0);
    // Stored like Python json.dumps: '"query": "hello"' with a space after the colon.
    expect(ids((await logs({ keyword: '"query": "hello"' })).json)).toEqual([gamma]);
    expect((await logs({ keyword: '"query":"hello"' })).json.total).toBe(0);
  });

  it('filters by exact end-user session id', async () => {
    const mine = app.addFinishedRun({ sessionId: 'abc' });
    app.addFinishedRun({ sessionId: 'abcd' });
    app.addFinishedRun({ createdByRole: 'account' });
    expect(ids((await logs({ created_by_end_user_session_id: 'abc' })).json)).toEqual([mine]);
  });

  it('shows workflow_run: null for the next N responses that include the row', async () => {
    const run = app.addFinishedRun();
    app.setRunNullFor(run, 2);
    expect((await logs()).json.data[0].workflow_run).toBeNull();
    expect((await logs({ created_at__before: '2000-01-01' })).json.total).toBe(0); // does not include it
    expect((await logs()).json.data[0].workflow_run).toBeNull();
    expect((await logs()).json.data[0].workflow_run.id).toBe(run);
  });

  it('shows running and paused rows (Dify >= 1.11) with finished_at null and elapsed 0', async () => {
    const run = app.startRun();
    clock.advance(5000);
    expect((await logs()).json.data[0].workflow_run).toMatchObject({ id: run, status: 'running', finished_at: null, elapsed_time: 0 });
    app.pauseRun(run);
    expect((await logs()).json.data[0].workflow_run.status).toBe('paused');
    app.resumeRun(run);
    app.finishRun(run, { status: 'succeeded' });
    const row = (await logs()).json.data[0];
    expect(row.workflow_run).toMatchObject({ status: 'succeeded', elapsed_time: 5, finished_at: T0 / 1000 + 5 });
    expect(row.created_at).toBe(T0 / 1000);
  });

  it('removes deleted runs from the listing and the ground truth', async () => {
    const keep = app.addFinishedRun();
    const gone = app.addFinishedRun();
    app.deleteRun(gone);
    expect(ids((await logs()).json)).toEqual([keep]);
    expect(app.finishedRuns().map((r) => r.runId)).toEqual([keep]);
  });
});

describe('apps that get no workflow log rows', () => {
  it('chatflow (advanced-chat): runs exist but the list stays empty', async () => {
    const chat = sim.addApp({ apiKey: 'chatflow-key', name: 'cf', mode: 'advanced-chat' });
    const run = chat.addFinishedRun();
    const res = await get(base, '/workflows/logs', 'chatflow-key');
    expect(res.json).toMatchObject({ total: 0, has_more: false, data: [] });
    expect((await get(base, `/workflows/run/${run}`, 'chatflow-key')).json.status).toBe('succeeded');
    expect(chat.finishedRuns()).toEqual([]);
  });

  it('non-workflow app: 200 empty list by default, 400 not_workflow_app when configured', async () => {
    sim.addApp({ apiKey: 'chat-key', name: 'chat', mode: 'chat' });
    expect((await get(base, '/workflows/logs', 'chat-key')).json).toMatchObject({ total: 0, data: [] });
    const strict = new DifySimulator({ clock, notWorkflowAppAnswer: 'error' });
    strict.addApp({ apiKey: 'completion-key', name: 'c', mode: 'completion' });
    const strictBase = await strict.listen();
    try {
      const res = await get(strictBase, '/workflows/logs', 'completion-key');
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ code: 'not_workflow_app', message: expect.any(String), status: 400 });
    } finally {
      await strict.close();
    }
  });
});
