/**
 * Choosing the next closed time window of a backlog: a second `end` such that the rows in
 * [from, end] fit the page budget, and fill at least half of it when the backlog allows. Rows in
 * a window that lies in the past do not shift while it is paged, and finishing it lets the
 * horizon move past it for good.
 *
 * Each probe reads the window's first page (its `total` is the window's row count), so the window
 * finally chosen costs no request to size: its first page is already in hand.
 */
import type { WireLogsPage } from '../dify/wire.js';

/** Probes allowed to size one window. */
const MAX_PROBES = 12;
/** A window is sized for this share of the budget (rows are rarely spread evenly). */
const AIM = 0.8;
/** A window that fits but holds less than this share of the budget is widened, when it can be. */
const WIDEN_BELOW = 0.5;

export interface CatchUpWindow {
  /** Last second of the window. */
  end: number;
  /** The window's first page. */
  first: WireLogsPage;
}

/**
 * @param maxEnd the last second that may close a window (before "now": rows still arrive in it)
 * @param total rows in [from, ∞), or an estimate of it (it only shapes the first guess)
 * @param firstPage page 1 of the rows in [from, end], asked of Dify
 * @param firstRowAt the second of the first row at or after `from`, when known (a hint: rows are
 *   assumed to be spread from there, not from `from`)
 */
export async function findWindow(
  from: number,
  maxEnd: number,
  total: number,
  budgetRows: number,
  firstPage: (after: number, end: number) => Promise<WireLogsPage>,
  firstRowAt: number | null = null,
): Promise<CatchUpWindow> {
  const widthFor = (width: number, rows: number): number => Math.floor((width * budgetRows * AIM) / Math.max(1, rows));
  // Assume rows are spread evenly from the first one, then correct with what Dify says.
  const start = Math.min(maxEnd, Math.max(from, firstRowAt ?? from));
  let end = Math.min(maxEnd, start + widthFor(Math.max(1, maxEnd - start), total));
  /** The widest window probed that fits; once a probe overflowed, the next fit is taken. */
  let fits: CatchUpWindow | null = null;
  let overflowed = false;
  for (let probe = 0; probe < MAX_PROBES; probe++) {
    const first = await firstPage(from, end);
    const rows = first.total;
    if (rows > budgetRows && end > from) {
      if (fits !== null) return fits;
      overflowed = true;
      // As if the rows were spread evenly, but at least half as wide each time: rows bunched in a
      // few seconds (a burst, a hint that was wrong) shrink the even-spread guess too little, and
      // the probes would run out one second after `from`.
      const base = end > start ? start : from;
      end = Math.max(from, Math.min(end - 1, start + widthFor(end - start, rows), base + Math.floor((end - base) / 2)));
      continue;
    }
    fits = { end, first };
    if (overflowed || rows >= budgetRows * WIDEN_BELOW || end >= maxEnd || rows > budgetRows) return fits;
    end = Math.min(maxEnd, Math.max(end + 1, start + widthFor(end - start + 1, rows)));
  }
  return fits ?? { end: from, first: await firstPage(from, from) };
}
