/**
 * One poll of one app's workflow logs: scan from the horizon (or lower, to revisit recent
 * unfinished runs), de-duplicate by log id, count each run the first time it is seen final,
 * look up old unfinished runs, then advance the horizon. A backlog too large for one poll is
 * caught up oldest first, one closed time window at a time, so progress is kept between polls.
 * State only changes in ways that stay correct if the poll is cut short: the horizon moves only
 * past rows that have all been seen.
 */
import type { Clock } from '../clock.js';
import type { DifyClient, LogsPageLater } from '../dify/client.js';
import { DifyApiError } from '../dify/errors.js';
import type { WireLogsPage } from '../dify/wire.js';
import { BadRowError, readRow, rowCreatedAt, type FinishedRun, type InProgressStatus } from '../model/run.js';
import type { PendingRun, TargetState } from '../state/target-state.js';
import { nextCheckAt, planFollowUp, type FollowUpSettings } from './follow-up-plan.js';
import { CatchUpBudget } from './catch-up-budget.js';
import { findWindow } from './catch-up-window.js';

export interface PollSettings extends FollowUpSettings {
  overlapSeconds: number;
  maxPendingRuns: number;
  maxPendingAgeMs: number;
  /** Pages (requests) one poll may spend on scanning; a larger backlog continues next poll. */
  maxPagesPerPoll: number;
}

export interface PollOutcome {
  counted: number;
  pages: number;
  lookups: number;
  /** A backlog is left for the next poll, which should follow at once. */
  more: boolean;
  /** Rows skipped because they could not be read (no id, bad timestamps...). */
  badRows: number;
  /** Largest distance (s) below the newest row already seen at which a new row turned up. */
  lateSeconds: number;
  dropped: { pending_full: number; row_gone: number; expired: number };
  inProgress: Record<InProgressStatus, number>;
}

/** Up to this many pages of new rows are read newest first in one go; more is a backlog. */
const OPEN_SCAN_MAX_PAGES = 10;
/** Pages per closed window when catching up a backlog (progress is kept window by window). */
const WINDOW_PAGES = 25;
/** Look-ups that miss this many times in a row: the row is gone (deleted), stop following it. */
const MAX_MISSES = 3;
/** Pages one look-up may read (only look-ups by second, for rows whose run id is unknown, page). */
const MAX_LOOKUP_PAGES = 100;
/** The largest page number Dify accepts. */
const MAX_PAGE = 99_999;

/**
 * Paging stops when Dify says has_more is false. A listing that keeps saying "more" far beyond
 * the total it announced (a broken proxy or server) fails the poll instead of looping for ever.
 */
function endless(page: number, total: number, limit: number): void {
  if (page > Math.ceil(total / limit) + 20 || page >= MAX_PAGE) {
    throw new DifyApiError('bad_response', `GET /workflows/logs: page ${page} still has_more beyond the announced total of ${total} rows`);
  }
}

interface Scan {
  outcome: PollOutcome;
  /** Pending runs looked at in this poll (their next check is rescheduled). */
  checked: Set<string>;
  /** The newest row seen before this poll (lateness is measured from it). */
  newestBefore: number;
  /**
   * The newest row seen, this poll included. It becomes the state's `newest` only once the read
   * that saw it is complete: a window given up or a page that failed leaves unread rows below it,
   * and those, read later, are not late.
   */
  newestRead: number;
}

export class LogPoller {
  /** The last poll stopped with a backlog left (the next one starts by counting it). */
  private backlogLeft = false;
  /**
   * The second of the backlog's first row, asked for once per backlog (undefined until then; null
   * when Dify could not tell): the horizon may lie far below it (a long look-back, a quiet spell),
   * and windows are sized from it. It stays a good hint while the backlog is read.
   */
  private firstRowAt: number | null | undefined = undefined;

  constructor(
    private readonly client: DifyClient,
    private readonly state: TargetState,
    private readonly clock: Clock,
    private readonly settings: PollSettings,
    /** Called exactly once per finished run. */
    private readonly onRun: (run: FinishedRun) => void,
    /** Claimed before each backlog window: how many runs may be taken in now (spans must drain first). */
    private readonly catchUpBudget: CatchUpBudget = new CatchUpBudget(),
  ) {}

  async poll(signal?: AbortSignal): Promise<PollOutcome> {
    const s = this.settings;
    const state = this.state;
    const plan = planFollowUp(state, this.clock.now(), s);
    const scan: Scan = {
      outcome: {
        counted: 0,
        pages: 0,
        lookups: 0,
        more: false,
        badRows: 0,
        lateSeconds: 0,
        dropped: { pending_full: 0, row_gone: 0, expired: 0 },
        inProgress: { running: 0, paused: 0 },
      },
      checked: new Set(),
      newestBefore: state.newest,
      newestRead: state.newest,
    };
    const readComplete = () => {
      if (scan.newestRead > state.newest) state.newest = scan.newestRead;
    };
    const list = async (q: { page: number; limit?: number; after: number; before?: number; keyword?: string }) => {
      scan.outcome.pages++;
      return this.client.listLogs({ limit: s.pageLimit, ...q }, signal);
    };

    let from = plan.scanFrom;
    // After a poll that left a backlog, the newest page would only be read to learn the total and
    // be dropped: one row tells the total.
    let page1: WireLogsPage | null = this.backlogLeft ? null : await list({ page: 1, after: from });
    let total = page1 === null ? (await list({ page: 1, limit: 1, after: from })).total : page1.total;
    this.estimateRate(total, from);
    // A backlog: catch up one closed window at a time, oldest first, so that progress is kept
    // even if this poll is cut short, and stop at the page budget (the next poll follows at once).
    // After a window, `total` is estimated (the rows before, less the window's); Dify is asked
    // again (page 1, which the open scan then starts from) only when the estimate says the backlog
    // is done.
    let estimated = false;
    if (!this.backlogLeft) this.firstRowAt = undefined;
    for (;;) {
      if (estimated && Math.ceil(total / s.pageLimit) <= OPEN_SCAN_MAX_PAGES) {
        page1 = await list({ page: 1, after: from });
        total = page1.total;
        estimated = false;
      }
      if (Math.ceil(total / s.pageLimit) <= OPEN_SCAN_MAX_PAGES) break;
      const pagesLeft = s.maxPagesPerPoll - scan.outcome.pages;
      const lastClosedSecond = this.difyNowSeconds() - 1;
      if (lastClosedSecond < from) break;
      // The page budget spent, or no room in the span outbox for the first page's runs (more is
      // claimed page by page): the next poll goes on.
      const claim = pagesLeft < 1 ? null : this.catchUpBudget.claim(s.pageLimit);
      if (claim === null || claim.rows < s.pageLimit) {
        claim?.close();
        scan.outcome.more = true;
        break;
      }
      let windowEnd: number;
      let windowRows: number;
      let settled: boolean;
      // No page is held in a local across an await once handled (an async function keeps its
      // locals while it waits): a page kept for a window's whole read, by 20 targets at a time, lived
      // long enough to be promoted to the old generation, and collecting it there cost full
      // collections throughout a catch-up.
      let first: WireLogsPage | null;
      try {
        // Dify compares `before` with the stored microseconds: `before=end` would leave out the rows
        // shown as second `end`, so a window asks for `before=end+1` (sized and read alike).
        const pageOf = (page: number, end: number) => list({ page, after: from, before: end + 1 });
        if (this.firstRowAt === undefined) this.firstRowAt = await this.oldestRowSecond(from, total, list, signal);
        // The pages left after that request (pagesLeft was counted before it).
        const budgetRows = Math.max(1, Math.min(WINDOW_PAGES, s.maxPagesPerPoll - scan.outcome.pages)) * s.pageLimit;
        ({ end: windowEnd, first } = await findWindow(from, lastClosedSecond, total, budgetRows, (a, e) => pageOf(1, e), this.firstRowAt));
        windowRows = first.total;
        // Once it is read, every row stamped at or before `end` has been seen. Late commits need the
        // overlap only when the window ends within it of "now"; further back they were all visible
        // already, and the window's full width counts as progress, however narrow.
        settled = windowEnd + s.overlapSeconds < lastClosedSecond;
        // A window that would not move the horizon (many rows in the last seconds): those rows are
        // for the open scan; window after window would only read the same seconds again.
        if (!settled && windowEnd + 1 - s.overlapSeconds <= from) break;
        // The window is closed, so its pages do not shift: the next page is asked for while this
        // one is handled (an error in it surfaces when it is awaited, as if read in turn), when the
        // outbox has room for its runs; otherwise once this one is handled and room has come. It
        // is parsed when its turn comes.
        const end = windowEnd;
        const ahead = (page: number): Promise<LogsPageLater> => {
          scan.outcome.pages++;
          return this.client.listLogsLater({ page, limit: s.pageLimit, after: from, before: end + 1 }, signal);
        };
        const newestBeforeWindow = scan.newestRead;
        let next: Promise<LogsPageLater> = Promise.resolve({
          read: () => {
            const page = first as WireLogsPage;
            first = null;
            return Promise.resolve(page);
          },
        });
        let givenUp = false;
        for (let page = 1; ; page++) {
          let res: WireLogsPage | null = await (await next).read();
          const more = res.has_more && res.data.length > 0;
          const askedAhead = more && claim.extend(s.pageLimit);
          if (more) endless(page, res.total, s.pageLimit);
          if (askedAhead) {
            next = ahead(page + 1);
            next.catch(() => {});
          }
          for (const raw of res.data) this.handle(raw, scan);
          claim.used(res.data.length);
          res = null;
          if (!more) break;
          if (!askedAhead) {
            // No room yet (spans wait for a slow or absent collector): wait a little for it, else
            // give the window up. Its runs counted so far stay known by id, so reading it again
            // later counts none of them twice.
            if (!(await claim.extendWhenRoom(s.pageLimit, signal))) {
              givenUp = true;
              break;
            }
            next = ahead(page + 1);
          }
        }
        if (givenUp) {
          scan.newestRead = newestBeforeWindow;
          scan.outcome.more = true;
          break;
        }
      } finally {
        claim.close();
      }
      readComplete();
      state.advanceTo(windowEnd + 1, settled ? 0 : s.overlapSeconds);
      from = state.horizon;
      total = Math.max(0, total - windowRows);
      estimated = true;
      page1 = null;
      // Read up to the last closed second: what is left (rows of the last seconds, however many)
      // is for the open scan. Another window could only read the same seconds again.
      if (windowEnd >= lastClosedSecond) break;
    }
    if (!scan.outcome.more) {
      page1 ??= await list({ page: 1, after: from });
      await this.scanOpenEnded(page1, from, list, scan);
      readComplete();
      // Rows may still arrive in the newest second: the horizon stays an overlap below it.
      state.advanceTo(Math.min(state.newest, this.difyNowSeconds() + 1), s.overlapSeconds);
      state.pending.scan((slot, createdAt) => {
        if (createdAt >= from) scan.checked.add(state.pending.logIdAt(slot));
      });
    }

    for (const p of plan.lookups) {
      if (!state.pending.has(p.logId)) continue;
      scan.outcome.lookups++;
      const found = await this.lookUp(p, scan, signal);
      const misses = found ? 0 : (state.pending.get(p.logId)?.misses ?? -1) + 1;
      if (misses >= MAX_MISSES) {
        state.pending.delete(p.logId);
        scan.outcome.dropped.row_gone++;
      } else if (misses > 0) {
        state.pending.update(p.logId, { misses });
      }
      scan.checked.add(p.logId);
    }
    readComplete();

    const now = this.clock.now();
    for (const id of scan.checked) {
      const createdAt = state.pending.createdAtOf(id);
      if (createdAt !== undefined) state.pending.update(id, { nextCheckAt: nextCheckAt({ createdAt }, now, s) });
    }
    this.enforcePendingBounds(now, scan.outcome);
    this.backlogLeft = scan.outcome.more;
    state.pending.scan((_slot, _createdAt, _nextCheckAt, status) => {
      if (status) scan.outcome.inProgress[status]++;
    });
    return scan.outcome;
  }

  /**
   * The second of the oldest row at or after `from` (of `total`), from the row Dify lists last; null
   * when Dify's page numbers do not reach it, the row has no readable created_at, or the request
   * fails (the windows are then sized from `from`). Rows that arrive meanwhile shift it to a newer
   * row: a hint for sizing windows, never a bound.
   */
  private async oldestRowSecond(
    from: number,
    total: number,
    list: (q: { page: number; limit: number; after: number }) => Promise<WireLogsPage>,
    signal: AbortSignal | undefined,
  ): Promise<number | null> {
    const limit = total <= MAX_PAGE ? 1 : this.settings.pageLimit;
    const page = Math.ceil(total / limit);
    if (page > MAX_PAGE) return null;
    try {
      const last = (await list({ page, limit, after: from })).data.at(-1);
      return last === undefined ? null : rowCreatedAt(last);
    } catch (err) {
      if (signal?.aborted) throw err;
      return null;
    }
  }

  /** Reads every page from `from` up (newest first); the first page is already in hand. */
  private async scanOpenEnded(
    first: WireLogsPage,
    from: number,
    list: (q: { page: number; after: number }) => Promise<WireLogsPage>,
    scan: Scan,
  ): Promise<void> {
    let res = first;
    for (let page = 1; ; ) {
      for (const raw of res.data) this.handle(raw, scan);
      if (!res.has_more || res.data.length === 0) return;
      endless(page, first.total, this.settings.pageLimit);
      res = await list({ page: ++page, after: from });
    }
  }

  /** Fetches the one row of a pending run (by run id, or by its second when the run id is unknown). */
  private async lookUp(p: PendingRun, scan: Scan, signal?: AbortSignal): Promise<boolean> {
    const bounds = { after: p.createdAt, before: p.createdAt + 1 };
    let found = false;
    for (let page = 1; page <= MAX_LOOKUP_PAGES; page++) {
      const res = await this.client.listLogs(
        { page, limit: this.settings.pageLimit, ...bounds, ...(p.runId ? { keyword: p.runId } : {}) },
        signal,
      );
      scan.outcome.pages++;
      for (const raw of res.data) {
        if ((raw as { id?: unknown } | null)?.id === p.logId) {
          found = true;
          this.state.pending.update(p.logId, { misses: 0 });
        }
        this.handle(raw, scan);
      }
      if (found || !res.has_more || res.data.length === 0) break;
    }
    return found;
  }

  private handle(raw: unknown, scan: Scan): void {
    const state = this.state;
    let view;
    try {
      view = readRow(raw);
    } catch (err) {
      // One bad row must not stop the app: skip it (counted) and let the horizon move on.
      if (err instanceof BadRowError) {
        scan.outcome.badRows++;
        return;
      }
      throw err;
    }
    const logId = view.kind === 'final' ? view.run.logId : view.logId;
    const createdAt = view.kind === 'final' ? view.run.createdAt : view.createdAt;
    // Every row read at or above the horizon counts for the newest, also one seen before: a read
    // cut short may have seen it first without making it the state's newest.
    const newer = createdAt > scan.newestRead;
    if (newer && createdAt >= state.horizon) scan.newestRead = createdAt;
    if (state.pending.has(logId)) {
      scan.checked.add(logId);
      if (view.kind === 'final') {
        state.pending.delete(logId);
        this.count(view.run, scan.outcome);
      } else if (view.kind === 'in-progress') {
        state.pending.update(logId, { status: view.status, runId: view.runId });
      } else if (view.runId) {
        state.pending.update(logId, { runId: view.runId });
      }
      return;
    }
    if (createdAt < state.horizon || !state.seen.add(logId, createdAt)) return;
    if (!newer && scan.newestBefore - createdAt > scan.outcome.lateSeconds) scan.outcome.lateSeconds = scan.newestBefore - createdAt;
    if (view.kind === 'final') {
      this.count(view.run, scan.outcome);
      return;
    }
    state.pending.set(logId, {
      logId,
      runId: view.runId,
      createdAt,
      status: view.kind === 'in-progress' ? view.status : null,
      nextCheckAt: 0,
      misses: 0,
    });
    scan.checked.add(logId);
  }

  private count(run: FinishedRun, outcome: PollOutcome): void {
    outcome.counted++;
    this.onRun(run);
  }

  /** Dify's "now" in whole seconds: its Date header when it sent one, else our clock. */
  private difyNowSeconds(): number {
    return Math.floor((this.client.serverTimeMs ?? this.clock.now()) / 1000);
  }

  private estimateRate(total: number, scanFrom: number): void {
    const span = Math.max(1, this.difyNowSeconds() - scanFrom);
    const observed = total / span;
    const prev = this.state.rowsPerSecond;
    this.state.rowsPerSecond = prev === 0 ? observed : prev * 0.5 + observed * 0.5;
  }

  /** Stops following runs unfinished for too long, then keeps the set within its size bound. */
  private enforcePendingBounds(nowMs: number, outcome: PollOutcome): void {
    const pending = this.state.pending;
    const oldest = Math.floor((nowMs - this.settings.maxPendingAgeMs) / 1000);
    const expired: string[] = [];
    pending.scan((slot, createdAt) => {
      if (createdAt < oldest) expired.push(pending.logIdAt(slot));
    });
    for (const id of expired) pending.delete(id);
    outcome.dropped.expired += expired.length;
    const excess = pending.size - this.settings.maxPendingRuns;
    if (excess <= 0) return;
    const byAge = [...pending.values()].sort((a, b) => a.createdAt - b.createdAt).slice(0, excess);
    for (const p of byAge) pending.delete(p.logId);
    outcome.dropped.pending_full += excess;
  }
}
