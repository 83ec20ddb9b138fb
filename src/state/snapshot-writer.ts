/**
 * Saves the whole state after polls without piling up writes: one save at a time, and any
 * requests that arrive meanwhile collapse into a single follow-up save of the newest state.
 */
import type { Logger } from 'pino';
import type { StateStore } from './store.js';

export class SnapshotWriter {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly store: StateStore,
    /** The state to save, serialised (pieces of one JSON text, read once). */
    private readonly snapshot: () => Iterable<string>,
    private readonly logger: Logger,
  ) {}

  /** Resolves once a save that includes every change made before this call has finished. */
  save(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.store.save(this.snapshot());
      } catch (err) {
        this.logger.error({ path: this.store.location, problem: (err as Error).message }, 'saving state failed; will retry after the next poll');
      }
    } while (this.again);
  }
}
