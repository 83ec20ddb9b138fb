import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { DifySimulator } from '../../src/simulator/simulator.js';
import { get } from './http.js';

let sim: DifySimulator;
let base: string;

beforeEach(async () => {
  sim = new DifySimulator({ clock: new ManualClock(Date.UTC(2025, 0, 1)), serverVersion: '1.12.1' });
  sim.addApp({ apiKey: 'app-ok', name: 'support-bot', mode: 'workflow', description: 'helps' });
  sim.addApp({ apiKey: 'app-off', name: 'disabled', state: 'forbidden' });
  sim.addApp({ apiKey: 'app-chat', name: 'chatty', mode: 'chat' });
  base = await sim.listen();
});
afterEach(() => sim.close());

describe('service API endpoints', () => {
  it('GET /v1/ needs no auth and reports the server version', async () => {
    const res = await get(base, '/');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ welcome: expect.any(String), api_version: 'v1', server_version: '1.12.1' });
  });

  it('GET /v1/info describes the app of the key', async () => {
    const res = await get(base, '/info', 'app-ok');
    expect(res.json).toEqual({ name: 'support-bot', description: 'helps', tags: [], mode: 'workflow', author_name: expect.any(String) });
    expect(res.headers.get('content-type')).toBe('application/json');
  });

  it.each([
    ['no header', undefined],
    ['wrong scheme', 'Basic app-ok'],
    ['bare token', 'app-ok'],
    ['unknown key', 'Bearer app-nope'],
  ])('answers 401 unauthorized with WWW-Authenticate for %s', async (_label, authorization) => {
    const res = await get(base, '/workflows/logs', null, { headers: authorization ? { authorization } : {} });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    expect(res.json).toEqual({ code: 'unauthorized', message: expect.any(String), status: 401 });
  });

  it('accepts the scheme in any case, like Dify', async () => {
    const res = await get(base, '/info', null, { headers: { authorization: 'bearer app-ok' } });
    expect(res.status).toBe(200);
  });

  it('answers 403 forbidden for an app whose status is abnormal, and follows state changes', async () => {
    const res = await get(base, '/workflows/logs', 'app-off');
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ code: 'forbidden', message: expect.any(String), status: 403 });
    sim.app('app-off')!.setState('ok');
    expect((await get(base, '/info', 'app-off')).status).toBe(200);
  });

  it('answers 401 after the key is removed', async () => {
    sim.removeApp('app-ok');
    expect((await get(base, '/info', 'app-ok')).status).toBe(401);
  });

  it('answers 404 not_found for unknown paths and 405 for other methods', async () => {
    const res = await get(base, '/workflows/nope', 'app-ok');
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ code: 'not_found', status: 404 });
    const post = await get(base, '/workflows/logs', 'app-ok', { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.json).toMatchObject({ code: 'method_not_allowed', status: 405 });
  });

  it('GET /v1/workflows/run/{id}: detail, 404 when unknown, 400 not_workflow_app for chat apps', async () => {
    const app = sim.app('app-ok')!;
    const run = app.startRun({ inputs: { q: 1 } });
    const running = await get(base, `/workflows/run/${run}`, 'app-ok');
    expect(running.json).toMatchObject({ id: run, status: 'running', inputs: { q: 1 }, finished_at: null, elapsed_time: 0 });
    app.finishRun(run, { status: 'failed', totalTokens: 9, totalSteps: 2, elapsedSeconds: 3.25, error: 'x' });
    const done = await get(base, `/workflows/run/${run}`, 'app-ok');
    expect(Object.keys(done.json)).toEqual([
      'id', 'workflow_id', 'status', 'inputs', 'outputs', 'error', 'total_steps', 'total_tokens', 'created_at', 'finished_at', 'elapsed_time',
    ]);
    expect(done.json).toMatchObject({ status: 'failed', total_tokens: 9, total_steps: 2, elapsed_time: 3.25, error: 'x' });
    const missing = await get(base, '/workflows/run/00000000-0000-4000-8000-000000000000', 'app-ok');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ code: 'not_found', status: 404 });
    const chat = await get(base, `/workflows/run/${run}`, 'app-chat');
    expect(chat.status).toBe(400);
    expect(chat.json).toMatchObject({ code: 'not_workflow_app', status: 400 });
  });

  it('records requests (bounded) and counts them by key and path prefix', async () => {
    await get(base, '/workflows/logs?page=2&limit=5', 'app-ok');
    await get(base, '/info', 'app-ok');
    await get(base, '/info', 'app-wrong');
    expect(sim.requests.at(0)).toEqual({
      method: 'GET',
      path: '/v1/workflows/logs',
      query: { page: '2', limit: '5' },
      apiKey: 'app-ok',
      authorized: true,
      status: 200,
      fault: null,
    });
    expect(sim.requests.at(-1)).toMatchObject({ authorized: false, status: 401 });
    expect(sim.requestCount()).toBe(3);
    expect(sim.requestCount({ apiKey: 'app-ok' })).toBe(2);
    expect(sim.requestCount({ path: '/v1/info' })).toBe(2);
    expect(sim.requestCount({ apiKey: 'app-ok', path: '/v1/workflows' })).toBe(1);
  });

  it('close() is idempotent and drops keep-alive connections', async () => {
    await get(base, '/');
    await sim.close();
    await sim.close();
    await expect(fetch(base + '/')).rejects.toThrow();
  });
});
