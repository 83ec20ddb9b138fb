/**
 * State in one JSON file, replaced atomically: write a temp file, fsync it, rename over the old
 * one, fsync the directory. A reader never sees half a file; a crash leaves the old or the new.
 */
import { open, rename, readFile, mkdir } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import type { Logger } from 'pino';
import { parseSnapshot, type StateSnapshot, type StateStore } from './store.js';

export class FileStateStore implements StateStore {
  constructor(
    readonly location: string,
    private readonly logger?: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async load(): Promise<StateSnapshot | null> {
    let text: string;
    try {
      text = await readFile(this.location, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new Error(`state file ${this.location}: cannot read (${(err as Error).message})`);
    }
    try {
      return parseSnapshot(text);
    } catch (err) {
      const aside = `${this.location}.corrupt-${this.now()}`;
      await rename(this.location, aside);
      this.logger?.error(
        { path: this.location, movedTo: aside, problem: (err as Error).message },
        'state file is corrupt: moved aside, starting from a fresh state (runs older than initial_lookback are not counted)',
      );
      return null;
    }
  }

  async save(pieces: Iterable<string>): Promise<void> {
    const dir = dirname(this.location);
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.${basename(this.location)}.${process.pid}.tmp`);
    const fh = await open(tmp, 'w', 0o600);
    try {
      for (const piece of pieces) await fh.write(piece);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.location);
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } catch {
      // Some filesystems refuse fsync on a directory; the rename is still atomic.
    } finally {
      await d.close();
    }
  }
}
