/**
 * One app's workflow log rows, kept sorted by created_at (microseconds, ascending) so a listing
 * page costs two binary searches plus the page itself. Rows with equal created_at keep insertion
 * order; the listing reads backwards, so among equal times the later-inserted row comes first.
 * That is the only tie order: like Dify's `ORDER BY created_at DESC`, nothing else breaks ties.
 */
import type { LogRow } from './run.js';

/** First index whose row has micros >= t. */
function lowerBound(rows: readonly LogRow[], t: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]!.micros < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose row has micros > t. */
function upperBound(rows: readonly LogRow[], t: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]!.micros <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface ListQuery {
  /** Inclusive bounds in microseconds; null = open. */
  afterMicros: number | null;
  beforeMicros: number | null;
  offset: number;
  limit: number;
  /** Extra filter (status, keyword, session); when set, every row in range is visited for `total`. */
  match: ((row: LogRow) => boolean) | null;
}

export interface ListResult {
  total: number;
  rows: LogRow[];
}

export class LogStore {
  private rows: LogRow[] = [];

  get size(): number {
    return this.rows.length;
  }

  insert(row: LogRow): void {
    const rows = this.rows;
    const last = rows[rows.length - 1];
    if (last === undefined || last.micros <= row.micros) rows.push(row);
    else rows.splice(upperBound(rows, row.micros), 0, row);
  }

  /** Adds many rows at once; `sorted` must be ascending by micros. O(n + m). */
  insertSorted(sorted: readonly LogRow[]): void {
    const rows = this.rows;
    if (sorted.length === 0) return;
    const last = rows[rows.length - 1];
    if (last === undefined || last.micros <= sorted[0]!.micros) {
      for (const r of sorted) rows.push(r);
      return;
    }
    const merged: LogRow[] = new Array(rows.length + sorted.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < rows.length && j < sorted.length) {
      merged[k++] = rows[i]!.micros <= sorted[j]!.micros ? rows[i++]! : sorted[j++]!;
    }
    while (i < rows.length) merged[k++] = rows[i++]!;
    while (j < sorted.length) merged[k++] = sorted[j++]!;
    this.rows = merged;
  }

  remove(row: LogRow): boolean {
    const rows = this.rows;
    for (let i = lowerBound(rows, row.micros); i < rows.length && rows[i]!.micros === row.micros; i++) {
      if (rows[i] === row) {
        rows.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  list(q: ListQuery): ListResult {
    const rows = this.rows;
    const lo = q.afterMicros === null ? 0 : lowerBound(rows, q.afterMicros);
    const hi = q.beforeMicros === null ? rows.length : upperBound(rows, q.beforeMicros);
    if (hi <= lo) return { total: 0, rows: [] };
    const page: LogRow[] = [];
    if (q.match === null) {
      const total = hi - lo;
      for (let i = hi - 1 - q.offset; i >= lo && page.length < q.limit; i--) page.push(rows[i]!);
      return { total, rows: page };
    }
    let total = 0;
    const end = q.offset + q.limit;
    for (let i = hi - 1; i >= lo; i--) {
      const row = rows[i]!;
      if (!q.match(row)) continue;
      if (total >= q.offset && total < end) page.push(row);
      total++;
    }
    return { total, rows: page };
  }

  all(): readonly LogRow[] {
    return this.rows;
  }
}
