import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTargets, type TargetProbe } from '../../src/check.js';
import { loadConfig } from '../../src/config/load.js';
import type { ExporterConfig } from '../../src/config/schema.js';
import { DifyApiError } from '../../src/dify/errors.js';
import { DifySimulator } from '../../src/simulator/simulator.js';

function configFor(targets: Array<{ name?: string; base_url: string; api_key: string }>): ExporterConfig {
  // Through the real loader, as `check` does: a file-free config plus the targets.
  const base = loadConfig({ env: { DIFY_BASE_URL: 'http://127.0.0.1:1/v1', DIFY_API_KEY: 'app-placeholder' } });
  return { ...base, http: { ...base.http, timeoutMs: 5_000 }, targets: targets.map((t) => ({ name: t.name ?? null, baseUrl: t.base_url, apiKey: t.api_key, serviceName: null })) };
}

describe('checkTargets with a stub client', () => {
  const probes: Record<string, TargetProbe> = {
    'app-workflow-key': { getServerRoot: async () => ({ server_version: '1.13.0' }), getAppInfo: async () => ({ name: 'support-bot', mode: 'workflow' }) },
    'app-same-name-key': { getServerRoot: async () => ({ server_version: '1.13.0' }), getAppInfo: async () => ({ name: 'support-bot', mode: 'workflow' }) },
    'app-chat-key': { getServerRoot: async () => ({ server_version: '1.9.2' }), getAppInfo: async () => ({ name: 'faq', mode: 'completion' }) },
    'app-no-root-key': {
      getServerRoot: async () => {
        throw new DifyApiError('bad_response', 'GET /: response is not JSON', 200);
      },
      getAppInfo: async () => ({ name: 'behind-proxy', mode: 'workflow' }),
    },
    'app-leaky-key-123456': {
      getServerRoot: async () => ({}),
      getAppInfo: async () => {
        throw new Error('connect failed for app-leaky-key-123456');
      },
    },
  };
  const config = configFor(Object.keys(probes).map((api_key) => ({ base_url: 'https://dify.example/v1', api_key })));
  const run = () => checkTargets(config, { openProbe: (target) => probes[target.apiKey] as TargetProbe });

  it('prints one line per target: name, mode, server version, OK or the problem', async () => {
    const report = await run();
    expect(report.targets.map((t) => t.line)).toEqual([
      'support-bot  mode=workflow  server=1.13.0  OK',
      'support-bot-2  mode=workflow  server=1.13.0  OK',
      'faq  mode=completion  server=1.9.2  OK  WARNING: completion app is not a workflow app: Dify records no such runs in workflow logs, so this app will show no runs',
      'behind-proxy  mode=workflow  server=unknown  OK',
      'targets[4] (https://dify.example/v1)  FAILED: connect failed for [REDACTED]',
    ]);
    expect(report.ok).toBe(false);
  });

  it('is ok when every target answers', async () => {
    const healthy = { ...config, targets: config.targets.slice(0, 4) };
    expect((await checkTargets(healthy, { openProbe: (target) => probes[target.apiKey] as TargetProbe })).ok).toBe(true);
  });
});

describe('checkTargets against the simulator (real HTTP client)', () => {
  const sim = new DifySimulator({ serverVersion: '1.13.0' });
  let baseUrl = '';
  beforeAll(async () => {
    sim.addApp({ apiKey: 'app-sim-workflow-0001', name: 'support-bot', mode: 'workflow' });
    sim.addApp({ apiKey: 'app-sim-chatflow-0002', name: 'faq-chat', mode: 'advanced-chat' });
    sim.addApp({ apiKey: 'app-sim-disabled-0003', name: 'disabled', mode: 'workflow', state: 'forbidden' });
    baseUrl = await sim.listen();
  });
  afterAll(() => sim.close());

  it('reports mode, version, chatflow warning, 401 and 403 from the same client the exporter uses', async () => {
    const report = await checkTargets(
      configFor([
        { base_url: baseUrl, api_key: 'app-sim-workflow-0001' },
        { name: 'faq', base_url: baseUrl, api_key: 'app-sim-chatflow-0002' },
        { name: 'wrong-key', base_url: baseUrl, api_key: 'app-sim-unknown-0009' },
        { base_url: baseUrl, api_key: 'app-sim-disabled-0003' },
      ]),
    );
    const lines = report.targets.map((t) => t.line);
    expect(lines.slice(0, 2)).toEqual([
      'support-bot  mode=workflow  server=1.13.0  OK',
      'faq  mode=advanced-chat  server=1.13.0  OK  WARNING: chatflow app: Dify records no chatflow runs in workflow logs, so this app will show no runs',
    ]);
    expect(lines[2]).toBe('wrong-key  FAILED: GET /info: 401 unauthorized (Access token is invalid)');
    expect(lines[3]).toMatch(/^targets\[3\] \(http:\/\/127\.0\.0\.1:\d+\/v1\)  FAILED: GET \/info: 403 forbidden/);
    expect(report.ok).toBe(false);
    expect(lines.join('\n')).not.toMatch(/app-sim-/);
    // Each app asked with its own key; the version endpoint without any.
    const info = sim.requests.filter((r) => r.path === '/v1/info');
    expect(info.map((r) => r.apiKey).sort()).toEqual(['app-sim-chatflow-0002', 'app-sim-disabled-0003', 'app-sim-unknown-0009', 'app-sim-workflow-0001']);
    expect(sim.requests.filter((r) => r.path === '/v1/').map((r) => r.apiKey)).toEqual([null, null, null, null]);
  });
});
