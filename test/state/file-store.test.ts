/**
 * The state file: pieces written in order as one file, replaced atomically (a save that fails
 * half-way leaves the previous file as it was), readable only by its owner.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FileStateStore } from '../../src/state/file-store.js';

/** Set to make the next temporary file written fail on close (after its data was written). */
const closing = vi.hoisted(() => ({ fail: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...fs,
    open: async (...args: Parameters<typeof fs.open>) => {
      const fh = await fs.open(...args);
      if (closing.fail && args[1] === 'w') {
        closing.fail = false;
        const close = fh.close.bind(fh);
        fh.close = async () => {
          await close();
          throw Object.assign(new Error('EIO: i/o error, close'), { code: 'EIO' });
        };
      }
      return fh;
    },
  };
});

const dirs: string[] = [];
function tempPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dify-exporter-state-'));
  dirs.push(dir);
  return join(dir, 'nested', 'state.json');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the state file store', () => {
  it('writes every piece in order: many small ones, large ones and multi-byte text', async () => {
    const path = tempPath();
    const store = new FileStateStore(path);
    const pieces = [
      '{"version":1,"savedAt":5,"targets":{',
      ...Array.from({ length: 3_000 }, (_, i) => `${i === 0 ? '' : ','}"t${i}":"${'x'.repeat(i % 97)}"`),
      ',"big":"' + 'y'.repeat(200_000) + '"',
      ',"text":"café 助手 🤖"',
      '},"outbox":[]}',
    ];
    await store.save(pieces);
    expect(readFileSync(path, 'utf8')).toBe(pieces.join(''));
    const loaded = await store.load();
    expect(loaded?.savedAt).toBe(5);
    expect((loaded?.targets as unknown as Record<string, string>)['text']).toBe('café 助手 🤖');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('keeps the previous file when the pieces fail part-way, and leaves no temporary file behind', async () => {
    const path = tempPath();
    const store = new FileStateStore(path);
    const before = '{"version":1,"savedAt":1,"targets":{},"outbox":[]}';
    await store.save([before]);
    function* failing(): Generator<string> {
      yield '{"version":1,"savedAt":2,"targets":{';
      yield 'z'.repeat(100_000);
      throw new Error('state changed under the save');
    }
    await expect(store.save(failing())).rejects.toThrow('state changed under the save');
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(readdirSync(join(path, '..'))).toEqual(['state.json']);
    await store.save([before.replace('"savedAt":1', '"savedAt":3')]);
    expect((await store.load())?.savedAt).toBe(3);
  });

  it('keeps the previous file when the new one will not close, and leaves no temporary file behind', async () => {
    const path = tempPath();
    const store = new FileStateStore(path);
    const before = '{"version":1,"savedAt":1,"targets":{},"outbox":[]}';
    await store.save([before]);
    closing.fail = true;
    await expect(store.save([before.replace('"savedAt":1', '"savedAt":2')])).rejects.toThrow('EIO');
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(readdirSync(join(path, '..'))).toEqual(['state.json']);
  });
});
