/**
 * What the exporter remembers about one app between polls, and the rules that make counting
 * exactly-once: a horizon below which no new row is counted, the ids handled at or above it,
 * and the runs seen started but not finished.
 */
import { PendingRuns } from './pending-runs.js';
import { SeenIds } from './seen-ids.js';
import { StateText } from './state-text.js';

export type { PendingRun } from './pending-runs.js';

export interface TargetStateJSON {
  /** The target's app label when saved (for people reading the file). */
  app?: string;
  horizon: number;
  newest: number;
  rowsPerSecond: number;
  /** created_at -> log ids handled at that second. */
  seen: Record<string, string[]>;
  /** [logId, runId, createdAt, status, nextCheckAt, misses] */
  pending: Array<[string, string | null, number, string | null, number, number]>;
}

/** Ids or pending runs per piece of stateText() (~2,000 runs are ~230 kB of text). */
const PIECE_ENTRIES = 2_000;

export class TargetState {
  /** Rows whose created_at is below this (Unix seconds) are never counted as new. */
  horizon: number;
  /** Newest log row created_at seen. */
  newest: number;
  /** Estimated arrival rate of log rows, used to price re-scans against look-ups. */
  rowsPerSecond = 0;
  /** Log ids handled (counted, or now pending) with created_at >= horizon. */
  readonly seen = new SeenIds();
  readonly pending = new PendingRuns();

  constructor(horizon: number) {
    this.horizon = horizon;
    this.newest = horizon;
  }

  /**
   * Every row stamped below `bound` has been seen: raise the horizon to `bound - overlap` (the
   * overlap leaves room for rows that commit late) and forget ids below it.
   */
  advanceTo(bound: number, overlapSeconds: number): void {
    const next = bound - overlapSeconds;
    if (next <= this.horizon) return;
    this.horizon = next;
    this.seen.forgetBelow(next);
  }

  toJSON(): TargetStateJSON {
    const seen: Record<string, string[]> = {};
    for (const [id, c] of this.seen) (seen[c] ??= []).push(id);
    const pending: TargetStateJSON['pending'] = [];
    for (const p of this.pending.values()) pending.push([p.logId, p.runId, p.createdAt, p.status, p.nextCheckAt, p.misses]);
    return { horizon: this.horizon, newest: this.newest, rowsPerSecond: this.rowsPerSecond, seen, pending };
  }

  /** toJSONText() as one array of strings (tests, tools). */
  toJSONText(app: string): string[] {
    return [...this.stateText(app)];
  }

  /**
   * The same as JSON.stringify({ app, ...toJSON() }), as pieces of at most PIECE_ENTRIES ids or
   * pending runs each, without the intermediate objects. Taken now: later changes to this state do
   * not show in it. The seen ids are written out at once (they span the overlap, a few seconds of
   * rows); the pending runs are copied (~50 bytes per run) and written out piece by piece while
   * the text is read, so 100,000 pending runs (~12 MB of text) are never all text at once.
   */
  stateText(app: string): StateText {
    const head: string[] = [];
    let piece: string[] = [];
    const flush = () => {
      head.push(piece.join(','));
      piece = [];
    };
    const bySecond = new Map<number, string[]>();
    this.seen.forEach((c, id) => {
      const ids = bySecond.get(c);
      if (ids === undefined) bySecond.set(c, [id]);
      else ids.push(id);
    });
    head.push(`{"app":${JSON.stringify(app)},"horizon":${this.horizon},"newest":${this.newest},"rowsPerSecond":${this.rowsPerSecond},"seen":{`);
    let entries = 0;
    for (const [c, ids] of bySecond) {
      piece.push(`"${c}":${JSON.stringify(ids)}`);
      entries += ids.length;
      if (entries >= PIECE_ENTRIES) {
        flush();
        head.push(',');
        entries = 0;
      }
    }
    if (piece.length > 0) flush();
    else if (head.at(-1) === ',') head.pop();
    head.push('},"pending":[');
    return new StateText(head, this.pending.freeze(), PIECE_ENTRIES, ']}');
  }

  static fromJSON(j: unknown): TargetState {
    const o = j as Partial<TargetStateJSON> | null;
    if (!o || typeof o !== 'object') throw new Error('target state: expected an object');
    if (typeof o.horizon !== 'number' || typeof o.newest !== 'number') throw new Error('target state: horizon/newest missing');
    const s = new TargetState(o.horizon);
    s.newest = o.newest;
    s.rowsPerSecond = typeof o.rowsPerSecond === 'number' ? o.rowsPerSecond : 0;
    for (const [c, ids] of Object.entries(o.seen ?? {})) {
      const createdAt = Number(c);
      if (!Number.isFinite(createdAt) || !Array.isArray(ids)) throw new Error('target state: bad seen entry');
      for (const id of ids) s.seen.add(String(id), createdAt);
    }
    if (o.pending !== undefined && !Array.isArray(o.pending)) throw new Error('target state: bad pending list');
    for (const p of o.pending ?? []) {
      if (!Array.isArray(p) || typeof p[0] !== 'string' || typeof p[2] !== 'number' || !Number.isFinite(p[2])) throw new Error('target state: bad pending entry');
      const nextCheckAt = Number(p[4]);
      s.pending.set(p[0], {
        runId: typeof p[1] === 'string' ? p[1] : null,
        createdAt: p[2],
        status: p[3] === 'running' || p[3] === 'paused' ? p[3] : null,
        nextCheckAt: Number.isFinite(nextCheckAt) ? nextCheckAt : 0,
        misses: Number(p[5]) || 0,
      });
    }
    return s;
  }
}
