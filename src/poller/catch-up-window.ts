/**
 * Choosing the next closed time window of a backlog: the latest second `end` such that the rows
 * in [from, end] fit the page budget. Rows in a window that lies in the past do not shift while
 * it is paged, and finishing it lets the horizon move past it for good.
 */

/** Probes allowed to size one window (each costs one request of one row). */
const MAX_PROBES = 12;

/**
 * @param maxEnd the last second that may close a window (before "now": rows still arrive in it)
 * @param total rows in [from, ∞)
 * @param count rows in [from, end], asked of Dify (`limit=1`, read `total`)
 */
export async function findWindowEnd(
  from: number,
  maxEnd: number,
  total: number,
  budgetRows: number,
  count: (after: number, before: number) => Promise<number>,
): Promise<number> {
  const span = Math.max(1, maxEnd - from);
  // Assume rows are spread evenly, aim at 80% of the budget, then correct with what Dify says.
  let end = Math.min(maxEnd, from + Math.floor((span * budgetRows * 0.8) / Math.max(1, total)));
  for (let probe = 0; probe < MAX_PROBES; probe++) {
    const n = await count(from, end);
    if (n <= budgetRows || end === from) return end;
    end = from + Math.floor(((end - from) * budgetRows * 0.8) / n);
  }
  return from;
}
