/**
 * The node flags the exporter is shipped with (src/heap.ts) are the ones the Docker image and
 * `npm start` pass, and the image sets the shipped environment; the benchmark starts its exporter
 * processes with both.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SHIPPED_ENV, SHIPPED_NODE_FLAGS } from '../../src/heap.js';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

describe('shipped node flags', () => {
  it('are passed by the Docker image entrypoint, before the script', () => {
    const entrypoint = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(read('Dockerfile'));
    expect(entrypoint).not.toBeNull();
    expect(JSON.parse(entrypoint![1]!)).toEqual(['node', ...SHIPPED_NODE_FLAGS, '/app/dist/src/cli.js']);
  });

  it('come with the shipped environment in the Docker image', () => {
    const env: Record<string, string> = {};
    for (const m of read('Dockerfile').matchAll(/^ENV\s+(\w+)=(\S+)\s*$/gm)) env[m[1]!] = m[2]!;
    expect(Object.keys(SHIPPED_ENV).length).toBeGreaterThan(0);
    for (const [name, value] of Object.entries(SHIPPED_ENV)) expect(env[name], name).toBe(value);
  });

  it('are passed by npm start', () => {
    const start = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start;
    expect(start).toBe(['node', ...SHIPPED_NODE_FLAGS, 'dist/src/cli.js'].join(' '));
  });

  it('are accepted by this node', async () => {
    const { execFileSync } = await import('node:child_process');
    expect(execFileSync(process.execPath, [...SHIPPED_NODE_FLAGS, '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' })).toBe('ok');
  });
});
