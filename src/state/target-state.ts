/**
 * What the exporter remembers about one app between polls, and the rules that make counting
 * exactly-once: a horizon below which no new row is counted, the ids handled at or above it,
 * and the runs seen started but not finished.
 */
import type { InProgressStatus } from '../model/run.js';

export interface PendingRun {
  logId: string;
  /** null while Dify shows `workflow_run: null` for the row. */
  runId: string | null;
  /** Log row created_at, Unix seconds. */
  createdAt: number;
  status: InProgressStatus | null;
  /** Unix ms before which this run is not looked at again on its own. */
  nextCheckAt: number;
  /** Consecutive look-ups that did not find the row. */
  misses: number;
}

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

/** Ids or pending runs per piece of toJSONText(). */
const PIECE_ENTRIES = 10_000;

export class TargetState {
  /** Rows whose created_at is below this (Unix seconds) are never counted as new. */
  horizon: number;
  /** Newest log row created_at seen. */
  newest: number;
  /** Estimated arrival rate of log rows, used to price re-scans against look-ups. */
  rowsPerSecond = 0;
  /** Log ids handled (counted, or now pending) with created_at >= horizon. */
  readonly seen = new Map<string, number>();
  readonly pending = new Map<string, PendingRun>();

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
    for (const [id, createdAt] of this.seen) if (createdAt < next) this.seen.delete(id);
  }

  toJSON(): TargetStateJSON {
    const seen: Record<string, string[]> = {};
    for (const [id, c] of this.seen) (seen[c] ??= []).push(id);
    const pending: TargetStateJSON['pending'] = [];
    for (const p of this.pending.values()) pending.push([p.logId, p.runId, p.createdAt, p.status, p.nextCheckAt, p.misses]);
    return { horizon: this.horizon, newest: this.newest, rowsPerSecond: this.rowsPerSecond, seen, pending };
  }

  /**
   * The same as JSON.stringify({ app, ...toJSON() }), in pieces of at most PIECE_ENTRIES ids or
   * pending runs each, built without the intermediate objects (100,000 pending runs are ~12 MB).
   */
  toJSONText(app: string): string[] {
    const pieces: string[] = [];
    let piece: string[] = [];
    const flush = () => {
      pieces.push(piece.join(','));
      piece = [];
    };
    const bySecond = new Map<number, string[]>();
    for (const [id, c] of this.seen) {
      const ids = bySecond.get(c);
      if (ids === undefined) bySecond.set(c, [id]);
      else ids.push(id);
    }
    pieces.push(`{"app":${JSON.stringify(app)},"horizon":${this.horizon},"newest":${this.newest},"rowsPerSecond":${this.rowsPerSecond},"seen":{`);
    let entries = 0;
    for (const [c, ids] of bySecond) {
      piece.push(`"${c}":${JSON.stringify(ids)}`);
      entries += ids.length;
      if (entries >= PIECE_ENTRIES) {
        flush();
        pieces.push(',');
        entries = 0;
      }
    }
    if (piece.length > 0) flush();
    else if (pieces.at(-1) === ',') pieces.pop();
    pieces.push('},"pending":[');
    for (const p of this.pending.values()) {
      piece.push(`[${JSON.stringify(p.logId)},${JSON.stringify(p.runId)},${p.createdAt},${JSON.stringify(p.status)},${p.nextCheckAt},${p.misses}]`);
      if (piece.length >= PIECE_ENTRIES) {
        flush();
        pieces.push(',');
      }
    }
    if (piece.length > 0) flush();
    else if (pieces.at(-1) === ',') pieces.pop();
    pieces.push(']}');
    return pieces;
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
      for (const id of ids) s.seen.set(String(id), createdAt);
    }
    for (const p of o.pending ?? []) {
      if (!Array.isArray(p) || typeof p[0] !== 'string' || typeof p[2] !== 'number') throw new Error('target state: bad pending entry');
      const status = p[3] === 'running' || p[3] === 'paused' ? p[3] : null;
      s.pending.set(p[0], {
        logId: p[0],
        runId: typeof p[1] === 'string' ? p[1] : null,
        createdAt: p[2],
        status,
        nextCheckAt: Number(p[4]) || 0,
        misses: Number(p[5]) || 0,
      });
    }
    return s;
  }
}
