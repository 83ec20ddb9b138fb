/**
 * Deciding how to look again at runs that were seen unfinished, at bounded API cost.
 * Recent ones come back for free when the regular scan reaches down to them, so the scan is
 * extended as long as the extra pages cost less than looking the runs up one by one; the rest
 * (old, e.g. paused for days) get single-run look-ups, a capped number per poll.
 */
import type { PendingRun, TargetState } from '../state/target-state.js';

export interface FollowUpSettings {
  pageLimit: number;
  maxLookupsPerPoll: number;
  /** Pending runs younger than this may be followed by re-scanning; older ones only by look-ups. */
  rescanWindowMs: number;
  pollIntervalMs: number;
}

export interface FollowUpPlan {
  /** Inclusive lower bound (Unix seconds) for this poll's scan; at most the state's horizon. */
  scanFrom: number;
  /** Pending runs below scanFrom to look up one by one in this poll. */
  lookups: PendingRun[];
}

/** A pending run due for a look, as planning needs it (no ids: most are never looked up alone). */
interface Due {
  slot: number;
  createdAt: number;
  nextCheckAt: number;
}

export function planFollowUp(state: TargetState, nowMs: number, s: FollowUpSettings): FollowUpPlan {
  const nowS = Math.floor(nowMs / 1000);
  const due: Due[] = [];
  state.pending.scan((slot, createdAt, nextCheckAt) => {
    if (createdAt < state.horizon && nextCheckAt <= nowMs) due.push({ slot, createdAt, nextCheckAt });
  });
  due.sort((a, b) => b.createdAt - a.createdAt);

  let scanFrom = state.horizon;
  const windowFloor = nowS - Math.floor(s.rescanWindowMs / 1000);
  for (let i = 0; i < due.length; i++) {
    const p = due[i] as Due;
    if (p.createdAt < windowFloor) break;
    const extraPages = Math.ceil((state.rowsPerSecond * (state.horizon - p.createdAt)) / s.pageLimit);
    // Extending the scan to p resolves due runs 0..i together: worth it if cheaper than i+1 look-ups.
    if (extraPages <= i + 1) scanFrom = p.createdAt;
  }

  const lookups = due
    .filter((p) => p.createdAt < scanFrom)
    .sort((a, b) => a.nextCheckAt - b.nextCheckAt || a.createdAt - b.createdAt)
    .slice(0, s.maxLookupsPerPoll)
    .map((p) => state.pending.runAt(p.slot));
  return { scanFrom, lookups };
}

/**
 * When to look at a still-unfinished run again: every poll while it is young, then about every
 * tenth of its age (a run 5 minutes old is looked at again in 30 s, one 2 hours old in 12 min),
 * at most every 15 minutes. A run is thus counted at most ~10% of its duration after it ends.
 */
export function nextCheckAt(p: Pick<PendingRun, 'createdAt'>, nowMs: number, s: FollowUpSettings): number {
  const ageMs = nowMs - p.createdAt * 1000;
  const delay = Math.min(15 * 60_000, ageMs / 10);
  return delay < s.pollIntervalMs ? nowMs : nowMs + delay;
}
