/** The narrow persistence interface the exporter needs: load everything once, save everything often. */
import type { TargetStateJSON } from './target-state.js';

export const STATE_FORMAT_VERSION = 1;

export interface StateSnapshot {
  version: typeof STATE_FORMAT_VERSION;
  savedAt: number;
  targets: Record<string, TargetStateJSON>;
  /** Spans not yet accepted by the collector (opaque to the store). */
  outbox: unknown[];
}

export interface StateStore {
  /** The last saved snapshot, or null on first start (or after a corrupt file was moved aside). */
  load(): Promise<StateSnapshot | null>;
  /**
   * Saves a snapshot already serialised (see serialiseSnapshot): the file is these pieces in
   * order. The pieces may be made as they are read; read them once.
   */
  save(pieces: Iterable<string>): Promise<void>;
  /** Where the state lives, for logs ("memory" or a path). */
  readonly location: string;
}

export function parseSnapshot(text: string): StateSnapshot {
  const o = JSON.parse(text) as Partial<StateSnapshot>;
  if (!o || typeof o !== 'object') throw new Error('not a JSON object');
  if (o.version !== STATE_FORMAT_VERSION) throw new Error(`unsupported state version ${String(o.version)}`);
  if (!o.targets || typeof o.targets !== 'object') throw new Error('"targets" missing');
  return { version: STATE_FORMAT_VERSION, savedAt: Number(o.savedAt) || 0, targets: o.targets, outbox: Array.isArray(o.outbox) ? o.outbox : [] };
}

/**
 * A snapshot as pieces of JSON text, from targets already serialised (a target that was not polled
 * since the last save costs nothing to take again). The pieces are written one after the other,
 * never joined: a large state is not copied into one string and one buffer on every save. Each
 * target's text is fixed when it is taken (TargetState.stateText), and the outbox is serialised
 * here, so the snapshot stays the state of this moment however long writing it takes.
 */
export function serialiseSnapshot(savedAt: number, targetsJson: ReadonlyMap<string, Iterable<string>>, outbox: unknown[]): Iterable<string> {
  const parts: Array<Iterable<string>> = [[`{"version":${STATE_FORMAT_VERSION},"savedAt":${savedAt},"targets":{`]];
  let first = true;
  for (const [id, json] of targetsJson) {
    parts.push([`${first ? '' : ','}${JSON.stringify(id)}:`], json);
    first = false;
  }
  parts.push([`},"outbox":${JSON.stringify(outbox)}}`]);
  return {
    *[Symbol.iterator]() {
      for (const part of parts) yield* part;
    },
  };
}
