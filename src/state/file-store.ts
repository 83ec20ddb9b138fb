/**
 * State in one JSON file, replaced atomically: write a temp file, fsync it, rename over the old
 * one, fsync the directory. A reader never sees half a file; a crash leaves the old or the new.
 */
import { open, rename, readFile, mkdir, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import type { Logger } from 'pino';
import { parseSnapshot, type StateSnapshot, type StateStore } from './store.js';

/**
 * Pieces are gathered into writes of about this many characters. A save has a few pieces per
 * target and each write is a round trip to the thread pool: written one by one, a catch-up's
 * saves cost the event loop more than the runs they saved.
 */
const WRITE_CHARS = 64 * 1024;

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
    let written = false;
    let closed = false;
    try {
      let gathered: string[] = [];
      let chars = 0;
      for (const piece of pieces) {
        gathered.push(piece);
        chars += piece.length;
        if (chars < WRITE_CHARS) continue;
        await fh.write(gathered.length === 1 ? piece : gathered.join(''));
        gathered = [];
        chars = 0;
      }
      if (gathered.length > 0) await fh.write(gathered.join(''));
      await fh.sync();
      written = true;
    } finally {
      try {
        await fh.close();
        closed = true;
      } finally {
        // A save that failed part-way, or whose file would not close, leaves no temporary file
        // next to the state.
        if (!written || !closed) await unlink(tmp).catch(() => {});
      }
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
