/**
 * One poll of one app's workflow logs: scan from the horizon (or lower, to revisit recent
 * unfinished runs), de-duplicate by log id, count each run the first time it is seen final,
 * look up old unfinished runs, then advance the horizon. State changes only in ways that stay
 * correct if the poll is cut short: the horizon moves only after a complete scan.
 */
import type { Clock } from '../clock.js';
import type { DifyClient } from '../dify/client.js';
import { DifyApiError } from '../dify/errors.js';
import { BadRowError, readRow, type FinishedRun, type InProgressStatus } from '../model/run.js';
import type { PendingRun, TargetState } from '../state/target-state.js';
import { nextCheckAt, planFollowUp, type FollowUpSettings } from './follow-up-plan.js';

export interface PollSettings extends FollowUpSettings {
  overlapSeconds: number;
  maxPendingRuns: number;
}

export interface PollOutcome {
  counted: number;
  pages: number;
  lookups: number;
  /** Pending runs dropped this poll, by reason. */
  dropped: { pending_full: number; row_gone: number };
  inProgress: Record<InProgressStatus, number>;
}

/** Dify refuses page numbers above this. */
const MAX_PAGE = 99_999;
/** Look-ups that miss this many times in a row: the row is gone (deleted), stop following it. */
const MAX_MISSES = 3;

export class LogPoller {
  constructor(
    private readonly client: DifyClient,
    private readonly state: TargetState,
    private readonly clock: Clock,
    private readonly settings: PollSettings,
    /** Called exactly once per finished run. */
    private readonly onRun: (run: FinishedRun) => void,
  ) {}

  async poll(signal?: AbortSignal): Promise<PollOutcome> {
    const s = this.settings;
    const state = this.state;
    const startMs = this.clock.now();
    const plan = planFollowUp(state, startMs, s);
    const outcome: PollOutcome = { counted: 0, pages: 0, lookups: 0, dropped: { pending_full: 0, row_gone: 0 }, inProgress: { running: 0, paused: 0 } };
    const checked = new Set<string>();

    for (let page = 1; ; page++) {
      if (page > MAX_PAGE) throw new DifyApiError('bad_response', `more than ${MAX_PAGE} pages of new rows: lower poll.interval or raise page_limit`);
      const res = await this.client.listLogs({ page, limit: s.pageLimit, after: plan.scanFrom }, signal);
      outcome.pages++;
      if (page === 1) this.estimateRate(res.total, plan.scanFrom, startMs);
      for (const raw of res.data) this.handle(raw, outcome, checked);
      if (!res.has_more || res.data.length === 0) break;
    }
    // Every row at or above the horizon has now been seen once: it is safe to move up.
    state.advance(s.overlapSeconds);
    for (const p of state.pending.values()) if (p.createdAt >= plan.scanFrom) checked.add(p.logId);

    for (const p of plan.lookups) {
      if (!state.pending.has(p.logId)) continue;
      outcome.lookups++;
      const found = await this.lookUp(p, outcome, checked, signal);
      if (!found && state.pending.has(p.logId) && ++p.misses >= MAX_MISSES) {
        state.pending.delete(p.logId);
        outcome.dropped.row_gone++;
      }
      checked.add(p.logId);
    }

    const now = this.clock.now();
    for (const id of checked) {
      const p = state.pending.get(id);
      if (p) p.nextCheckAt = nextCheckAt(p, now, s);
    }
    outcome.dropped.pending_full += this.enforcePendingBound();
    for (const p of state.pending.values()) if (p.status) outcome.inProgress[p.status]++;
    return outcome;
  }

  /** Fetches the one row of a pending run (by run id, or by its second when the run id is unknown). */
  private async lookUp(p: PendingRun, outcome: PollOutcome, checked: Set<string>, signal?: AbortSignal): Promise<boolean> {
    const bounds = { after: p.createdAt, before: p.createdAt + 1 };
    let found = false;
    for (let page = 1; page <= 10; page++) {
      const res = await this.client.listLogs(
        { page, limit: this.settings.pageLimit, ...bounds, ...(p.runId ? { keyword: p.runId } : {}) },
        signal,
      );
      for (const raw of res.data) {
        if ((raw as { id?: unknown } | null)?.id === p.logId) {
          found = true;
          p.misses = 0;
        }
        this.handle(raw, outcome, checked);
      }
      if (found || !res.has_more || res.data.length === 0) break;
    }
    return found;
  }

  private handle(raw: unknown, outcome: PollOutcome, checked: Set<string>): void {
    const state = this.state;
    let view;
    try {
      view = readRow(raw);
    } catch (err) {
      if (err instanceof BadRowError) throw new DifyApiError('bad_response', `GET /workflows/logs: malformed row: ${err.message}`);
      throw err;
    }
    const logId = view.kind === 'final' ? view.run.logId : view.logId;
    const createdAt = view.kind === 'final' ? view.run.createdAt : view.createdAt;
    const pending = state.pending.get(logId);
    if (pending) {
      checked.add(logId);
      if (view.kind === 'final') {
        state.pending.delete(logId);
        this.count(view.run, outcome);
      } else if (view.kind === 'in-progress') {
        pending.status = view.status;
        pending.runId = view.runId;
      }
      return;
    }
    if (createdAt < state.horizon || state.seen.has(logId)) return;
    state.seen.set(logId, createdAt);
    if (createdAt > state.newest) state.newest = createdAt;
    if (view.kind === 'final') {
      this.count(view.run, outcome);
      return;
    }
    state.pending.set(logId, {
      logId,
      runId: view.kind === 'in-progress' ? view.runId : null,
      createdAt,
      status: view.kind === 'in-progress' ? view.status : null,
      nextCheckAt: 0,
      misses: 0,
    });
    checked.add(logId);
  }

  private count(run: FinishedRun, outcome: PollOutcome): void {
    outcome.counted++;
    this.onRun(run);
  }

  private estimateRate(total: number, scanFrom: number, nowMs: number): void {
    const span = Math.max(1, nowMs / 1000 - scanFrom);
    const observed = total / span;
    const prev = this.state.rowsPerSecond;
    this.state.rowsPerSecond = prev === 0 ? observed : prev * 0.5 + observed * 0.5;
  }

  /** Keeps the pending set within its bound by dropping the oldest runs. */
  private enforcePendingBound(): number {
    const pending = this.state.pending;
    const excess = pending.size - this.settings.maxPendingRuns;
    if (excess <= 0) return 0;
    const oldest = [...pending.values()].sort((a, b) => a.createdAt - b.createdAt).slice(0, excess);
    for (const p of oldest) pending.delete(p.logId);
    return excess;
  }
}
