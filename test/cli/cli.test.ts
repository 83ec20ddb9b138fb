/** The `dify-exporter` command in-process (runCli), plus a few real processes for what only they show. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, USAGE } from '../../src/cli.js';
import { DifySimulator } from '../../src/simulator/simulator.js';
import { VERSION } from '../../src/version.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/config');

async function cli(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { env, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'dify-exporter-cli-')), name);
  writeFileSync(path, text);
  return path;
}

describe('dify-exporter (in-process)', () => {
  it('--help and -h print the usage and exit 0', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      expect(await cli([flag])).toEqual({ code: 0, stdout: USAGE, stderr: '' });
    }
    expect(USAGE).toMatch(/check/);
    expect(USAGE).toMatch(/--config FILE/);
  });

  it('--version and -v print the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
    expect(await cli(['-v'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('refuses unknown commands and options with the usage and exit 2', async () => {
    const unknown = await cli(['serve']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.startsWith('dify-exporter: unknown command "serve"\n')).toBe(true);
    const option = await cli(['--confg', 'x.yaml']);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/^dify-exporter: Unknown option '--confg'/);
  });

  it('validate: exit 0 and the targets on a good file', async () => {
    const path = join(FIXTURES, 'good-minimal.yaml');
    expect(await cli(['validate', '--config', path], { SUPPORT_BOT_KEY: 'app-validate-0001' })).toEqual({
      code: 0,
      stdout: `${path}: OK\n  (name from /v1/info)  https://api.dify.ai/v1\n`,
      stderr: '',
    });
  });

  it('validate: exit 2 with every problem on stderr, one per line, prefixed by the file name', async () => {
    const path = join(FIXTURES, 'bad-missing-api-key.yaml');
    expect(await cli(['validate', '-c', path], { SUPPORT_BOT_KEY: 'app-validate-0001' })).toEqual({
      code: 2,
      stdout: '',
      stderr: `${path}: targets[1].api_key: missing\n${path}: targets[2].api_key: missing\n`,
    });
  });

  it('without any configuration: exit 2 and how to configure', async () => {
    const result = await cli(['validate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('dify-exporter: no configuration: pass --config FILE, set DIFY_EXPORTER_CONFIG, or set DIFY_BASE_URL and DIFY_API_KEY\n');
  });

  it('check: exit 0 when every target answers, 1 when one fails, 2 on a bad config', async () => {
    const sim = new DifySimulator({ serverVersion: '1.11.2' });
    sim.addApp({ apiKey: 'app-cli-check-0001', name: 'support-bot', mode: 'workflow' });
    const baseUrl = await sim.listen();
    try {
      const good = await cli(['check'], { DIFY_BASE_URL: baseUrl, DIFY_API_KEY: 'app-cli-check-0001' });
      expect(good).toEqual({ code: 0, stdout: 'support-bot  mode=workflow  server=1.11.2  OK\n', stderr: '' });
      const bad = await cli(['check'], { DIFY_BASE_URL: baseUrl, DIFY_API_KEY: 'app-cli-check-wrong', DIFY_APP_NAME: 'bot' });
      expect(bad).toEqual({ code: 1, stdout: 'bot  FAILED: GET /info: 401 unauthorized (Access token is invalid)\n', stderr: '' });
      expect((await cli(['check'], { DIFY_BASE_URL: 'nope', DIFY_API_KEY: 'app-cli-check-0001' })).code).toBe(2);
    } finally {
      await sim.close();
    }
  });
});
