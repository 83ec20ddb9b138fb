import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DifyClient, type Endpoint } from '../../src/dify/client.js';
import { DifyApiError } from '../../src/dify/errors.js';
import { DifySimulator } from '../../src/simulator/simulator.js';

const KEY = 'app-client-test-key-123';
const sims: DifySimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function setup(opts: { timeoutMs?: number; maxRetries?: number } = {}) {
  const sim = new DifySimulator({ serverVersion: '1.13.0' });
  sims.push(sim);
  const app = sim.addApp({ apiKey: KEY, name: 'bot' });
  const baseUrl = await sim.listen();
  const requests: Array<[Endpoint, string]> = [];
  const client = new DifyClient({
    baseUrl,
    apiKey: KEY,
    timeoutMs: opts.timeoutMs ?? 5_000,
    maxRetries: opts.maxRetries ?? 3,
    backoff: { baseMs: 1, maxMs: 5 },
    onRequest: (endpoint, code) => requests.push([endpoint, code]),
  });
  return { sim, app, client, requests, baseUrl };
}

async function failure(p: Promise<unknown>): Promise<DifyApiError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DifyApiError);
  expect((err as Error).message).not.toContain(KEY);
  return err as DifyApiError;
}

describe('DifyClient', () => {
  it('sends the app key as a bearer token and the time bounds as ISO seconds', async () => {
    const { sim, app, client } = await setup();
    app.addFinishedRun({ status: 'succeeded' });
    const page = await client.listLogs({ page: 1, limit: 100, after: 1_700_000_000, before: 1_900_000_000 });
    expect(page.total).toBe(1);
    const req = sim.requests.at(-1);
    expect(req?.authorized).toBe(true);
    expect(req?.query).toMatchObject({ page: '1', limit: '100', created_at__after: '2023-11-14T22:13:20Z', created_at__before: '2030-03-17T17:46:40Z' });
  });

  it('retries 5xx, resets and malformed bodies, then succeeds', async () => {
    const { sim, client, requests } = await setup();
    sim.faults.inject({ kind: 'http_502', times: 1 });
    sim.faults.inject({ kind: 'reset', times: 1 });
    sim.faults.inject({ kind: 'malformed_json', times: 1 });
    const page = await client.listLogs({ page: 1, limit: 10 });
    expect(page.data).toEqual([]);
    expect(requests.map(([, code]) => code)).toEqual(['502', 'error', '200', '200']);
  });

  it('honours Retry-After on 429', async () => {
    const { sim, client } = await setup();
    sim.faults.inject({ kind: 'http_429', times: 1, retryAfterSeconds: 1 });
    const started = Date.now();
    await client.listLogs({ page: 1, limit: 10 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('gives up after max_retries with the reason of the last failure', async () => {
    const { sim, client, requests } = await setup({ maxRetries: 2 });
    sim.faults.inject({ kind: 'http_503', times: 10 });
    const err = await failure(client.listLogs({ page: 1, limit: 10 }));
    expect(err.reason).toBe('http_5xx');
    expect(requests).toHaveLength(3);
  });

  it('does not retry 401 or 403, and names the problem from Dify\'s error body', async () => {
    const { sim, app, client, requests } = await setup();
    sim.faults.inject({ kind: 'http_401', times: 5 });
    const err = await failure(client.listLogs({ page: 1, limit: 10 }));
    expect(err.reason).toBe('auth');
    expect(err.message).toMatch(/401 unauthorized/);
    expect(requests).toHaveLength(1);
    sim.faults.clear();
    app.setState('forbidden');
    expect((await failure(client.getAppInfo())).reason).toBe('forbidden');
    expect(requests).toHaveLength(2);
  });

  it('times out a slow server', async () => {
    const { sim, client } = await setup({ timeoutMs: 200, maxRetries: 1 });
    sim.faults.inject({ kind: 'slow', times: 2, delayMs: 1_000 });
    expect((await failure(client.listLogs({ page: 1, limit: 10 }))).reason).toBe('timeout');
  });

  it('rejects a 200 whose body is not a logs page', async () => {
    const { sim, client } = await setup({ maxRetries: 0 });
    sim.faults.inject({ kind: 'wrong_shape', times: 1 });
    expect((await failure(client.listLogs({ page: 1, limit: 10 }))).reason).toBe('bad_response');
  });

  it('fails a logs page whose data is not an array, naming the field', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"page":1,"limit":10,"total":1,"has_more":false,"data":{"0":{"id":"x"}}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = new DifyClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, apiKey: KEY, maxRetries: 0 });
      const err = await failure(client.listLogs({ page: 1, limit: 10 }));
      expect(err.reason).toBe('bad_response');
      expect(err.message).toContain('unexpected body shape (data)');
      await client.close();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  describe('a page read later (listLogsLater)', () => {
    it('gives the same page as listLogs, parsed when read', async () => {
      const { app, client } = await setup();
      for (let i = 0; i < 25; i++) app.addFinishedRun({ status: i % 3 === 0 ? 'failed' : 'succeeded' });
      const q = { page: 2, limit: 10 };
      const later = await client.listLogsLater(q);
      expect(await later.read()).toEqual(await client.listLogs(q));
    });

    it('asks again, with retries, for a body that is not JSON; fails a body that is not a logs page', async () => {
      const { sim, app, client, requests } = await setup();
      for (let i = 0; i < 5; i++) app.addFinishedRun({ status: 'succeeded' });
      sim.faults.inject({ kind: 'malformed_json', times: 2 });
      const later = await client.listLogsLater({ page: 1, limit: 10 });
      expect((await later.read()).data).toHaveLength(5);
      expect(requests.map(([, code]) => code)).toEqual(['200', '200', '200']);
      sim.faults.inject({ kind: 'wrong_shape', times: 1 });
      expect((await failure((await client.listLogsLater({ page: 1, limit: 10 })).read())).reason).toBe('bad_response');
    });

    it('asks again without going through an override of listLogs (a wrapper would see the page twice)', async () => {
      const { sim, app, baseUrl } = await setup();
      app.addFinishedRun({ status: 'succeeded' });
      const seen: number[] = [];
      class Wrapping extends DifyClient {
        override async listLogs(q: { page: number; limit: number }) {
          seen.push(q.page);
          return super.listLogs(q);
        }
      }
      const client = new Wrapping({ baseUrl, apiKey: KEY, backoff: { baseMs: 1, maxMs: 5 } });
      sim.faults.inject({ kind: 'malformed_json', times: 1 });
      expect((await (await client.listLogsLater({ page: 1, limit: 10 })).read()).data).toHaveLength(1);
      expect(seen).toEqual([]);
      await client.close();
    });

    it('fails at once on an error status, as listLogs does', async () => {
      const { sim, client } = await setup({ maxRetries: 1 });
      sim.faults.inject({ kind: 'http_503', times: 2 });
      expect((await failure(client.listLogsLater({ page: 1, limit: 10 }))).reason).toBe('http_5xx');
      sim.faults.inject({ kind: 'http_401', times: 1 });
      expect((await failure(client.listLogsLater({ page: 1, limit: 10 }))).reason).toBe('auth');
    });
  });
});
