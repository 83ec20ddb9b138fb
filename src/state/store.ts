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
  /** Saves a snapshot already serialised (see serialiseSnapshot). */
  save(text: string): Promise<void>;
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
 * A snapshot as JSON text, from targets already serialised: a target that was not polled since the
 * last save costs nothing to serialise again.
 */
export function serialiseSnapshot(savedAt: number, targetsJson: ReadonlyMap<string, string>, outbox: unknown[]): string {
  let targets = '';
  for (const [id, json] of targetsJson) targets += `${targets === '' ? '' : ','}${JSON.stringify(id)}:${json}`;
  return `{"version":${STATE_FORMAT_VERSION},"savedAt":${savedAt},"targets":{${targets}},"outbox":${JSON.stringify(outbox)}}`;
}
