import { parseSnapshot, type StateSnapshot, type StateStore } from './store.js';

/** Keeps the state in this process only: restarts start over. Also the store used by tests. */
export class MemoryStateStore implements StateStore {
  readonly location = 'memory';
  private text: string | null = null;
  async load(): Promise<StateSnapshot | null> {
    return this.text === null ? null : parseSnapshot(this.text);
  }
  async save(pieces: Iterable<string>): Promise<void> {
    this.text = [...pieces].join('');
  }
}
