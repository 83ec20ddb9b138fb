/**
 * The real `dify-exporter` process (few spawns: each costs about half a second): exit codes,
 * stderr, and a run stopped by SIGTERM. The compiled bin is the same file with a shebang.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { DifySimulator } from '../../src/simulator/simulator.js';

const ROOT = join(import.meta.dirname, '../..');
const CLI = join(ROOT, 'src/cli.ts');

function start(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

async function runToEnd(args: string[], env: Record<string, string> = {}) {
  const proc = start(args, env);
  let stdout = '';
  proc.child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await proc.exited;
  return { code, stdout, stderr: proc.stderr() };
}

describe('dify-exporter process', () => {
  it('is an executable node script', () => {
    expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('--version exits 0 with the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await runToEnd(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('validate exits 2 on a bad file, every problem on stderr prefixed by the file name', async () => {
    const file = 'test/fixtures/config/bad-numbers.yaml';
    const result = await runToEnd(['validate', '--config', file], { SUPPORT_BOT_KEY: 'app-bin-test-0001' });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      `${file}: poll.page_limit: 500 is out of range 1..100`,
      `${file}: poll.max_pending_runs: "lots" is not a whole number`,
      `${file}: http.max_retries: 2.5 is not a whole number`,
      `${file}: http.requests_per_second: 0 is not a number above 0 and at most 10000`,
      `${file}: http.max_connections: 0 is out of range 1..1024`,
    ]);
  });

  it('run serves /metrics, stops on SIGTERM with exit 0, and never logs the key', async () => {
    const key = 'app-bin-run-secret-0001';
    const sim = new DifySimulator({ serverVersion: '1.13.0' });
    sim.addApp({ apiKey: key, name: 'support-bot', mode: 'workflow' });
    const baseUrl = await sim.listen();
    const proc = start([], {
      DIFY_BASE_URL: baseUrl,
      DIFY_API_KEY: key,
      DIFY_EXPORTER_LISTEN: '127.0.0.1:0',
      DIFY_EXPORTER_STATE_PATH: join(mkdtempSync(join(tmpdir(), 'dify-exporter-bin-')), 'state.json'),
    });
    const lines: string[] = [];
    try {
      const metricsUrl = await new Promise<string>((resolve, reject) => {
        createInterface({ input: proc.child.stdout }).on('line', (line) => {
          lines.push(line);
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'dify-exporter started' && entry.url) resolve(entry.url);
        });
        void proc.exited.then((code) => reject(new Error(`exited ${code} before starting: ${proc.stderr()}`)));
      });
      const metrics = await (await fetch(metricsUrl)).text();
      expect(metrics).toMatch(/^dify_exporter_build_info\{/m);

      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
      expect(lines.some((line) => JSON.parse(line).msg === 'stopping')).toBe(true);
      for (const line of [...lines, proc.stderr()]) expect(line).not.toContain(key);
    } finally {
      proc.child.kill('SIGKILL');
      await sim.close();
    }
  });
});
