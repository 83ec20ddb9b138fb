/** Applies counted runs and poll outcomes to the metrics. The only writer of the dify_workflow_* series. */
import type { FinishedRun, InProgressStatus } from '../model/run.js';
import { FINAL_STATUSES, IN_PROGRESS_STATUSES } from '../model/run.js';
import type { Exemplar } from './exposition/format.js';
import { POLL_ERROR_REASONS, type ExporterMetrics, type PollErrorReason } from './definitions.js';

export interface RecorderOptions {
  /** Attach trace_id exemplars (OpenMetrics) to runs, durations and tokens. */
  exemplars: boolean;
  /** Maps a run id to the trace id its span carries. */
  traceIdForRun: (runId: string) => string;
}

export class RunRecorder {
  constructor(
    private readonly m: ExporterMetrics,
    private readonly opts: RecorderOptions,
  ) {}

  /** Creates every series an app has at zero, so dashboards and alerts see it from the first poll. */
  initApp(app: string): void {
    const m = this.m;
    for (const status of FINAL_STATUSES) {
      m.runs.zero([app, status, 'app-run', 'service-api']);
      m.duration.zero([app, status]);
      m.runTokens.zero([app, status]);
      m.tokens.zero([app, status]);
      m.steps.zero([app, status]);
    }
    m.exceptions.zero([app]);
    for (const s of IN_PROGRESS_STATUSES) m.inProgress.zero([app, s]);
    m.targetUp.zero([app]);
    m.badRows.zero([app]);
    m.lateRowMax.zero([app]);
    m.lastSuccessfulPoll.zero([app]);
    for (const reason of POLL_ERROR_REASONS) m.pollErrors.zero([app, reason]);
  }

  /** Removes every series of an app (when a provisional name is replaced by the real one). */
  forgetApp(app: string): void {
    for (const f of Object.values(this.m)) f.removeWhere('app', app);
  }

  record(app: string, run: FinishedRun): void {
    const m = this.m;
    const status = run.status;
    let exemplar: Exemplar | undefined;
    let durationExemplar: Exemplar | undefined;
    let tokenExemplar: Exemplar | undefined;
    if (this.opts.exemplars) {
      const labels = { trace_id: this.opts.traceIdForRun(run.runId) };
      const ts = run.finishedAt ?? run.runCreatedAt + run.elapsedSeconds;
      exemplar = { labels, value: 1, timestamp: ts };
      durationExemplar = { labels, value: run.elapsedSeconds, timestamp: ts };
      tokenExemplar = { labels, value: run.totalTokens, timestamp: ts };
    }
    m.runs.inc([app, status, run.triggeredFrom, run.createdFrom], 1, exemplar);
    m.duration.observe([app, status], run.elapsedSeconds, durationExemplar);
    m.runTokens.observe([app, status], run.totalTokens, tokenExemplar);
    if (run.totalTokens > 0) m.tokens.inc([app, status], run.totalTokens);
    m.steps.observe([app, status], run.totalSteps);
    if (run.exceptionsCount > 0) m.exceptions.inc([app], run.exceptionsCount);
    const finished = run.finishedAt ?? Math.floor(run.runCreatedAt + run.elapsedSeconds);
    if (finished > m.lastFinished.value([app, status])) m.lastFinished.set([app, status], finished);
  }

  setInProgress(app: string, counts: Record<InProgressStatus, number>): void {
    for (const s of IN_PROGRESS_STATUSES) this.m.inProgress.set([app, s], counts[s]);
  }

  pollSucceeded(app: string, nowSeconds: number, durationSeconds: number): void {
    this.m.targetUp.set([app], 1);
    this.m.lastSuccessfulPoll.set([app], nowSeconds);
    this.m.pollDuration.set([app], durationSeconds);
  }

  pollFailed(app: string, reason: PollErrorReason, durationSeconds: number): void {
    this.m.targetUp.set([app], 0);
    this.m.pollErrors.inc([app, reason]);
    this.m.pollDuration.set([app], durationSeconds);
  }

  apiRequest(app: string, endpoint: string, code: string): void {
    this.m.apiRequests.inc([app, endpoint, code]);
  }

  targetInfo(app: string, mode: string, serverVersion: string, unsupported: boolean): void {
    this.m.targetInfo.removeWhere('app', app);
    this.m.targetInfo.set([app, mode, serverVersion], 1);
    this.m.unsupportedApp.removeWhere('app', app);
    if (unsupported) this.m.unsupportedApp.set([app, mode], 1);
  }

  pendingDropped(app: string, reason: 'pending_full' | 'row_gone' | 'expired', n = 1): void {
    this.m.pendingDropped.inc([app, reason], n);
  }

  badRows(app: string, n: number): void {
    this.m.badRows.inc([app], n);
  }

  /** Records a row's lateness; returns the largest seen so far. */
  lateRow(app: string, seconds: number): number {
    const max = Math.max(seconds, this.m.lateRowMax.value([app]));
    this.m.lateRowMax.set([app], max);
    return max;
  }
}
