/** Applies counted runs and poll outcomes to the metrics. The only writer of the dify_workflow_* series. */
import type { FinishedRun, InProgressStatus } from '../model/run.js';
import { FINAL_STATUSES, IN_PROGRESS_STATUSES } from '../model/run.js';
import type { CounterChild } from './exposition/counter.js';
import type { Exemplar } from './exposition/exemplars.js';
import type { GaugeChild } from './exposition/gauge.js';
import type { HistogramChild } from './exposition/histogram.js';
import { POLL_ERROR_REASONS, type ExporterMetrics, type PollErrorReason } from './definitions.js';

/** The series one run of an app and status updates, bound once (record() runs for every run); the run counter is not among them (see record). */
interface StatusSeries {
  duration: HistogramChild;
  runTokens: HistogramChild;
  tokens: CounterChild;
  steps: HistogramChild;
  lastFinished: GaugeChild;
  /** The app's (no status label). */
  exceptions: CounterChild;
  /**
   * The run counter's series for one trigger and source, bound once two runs in a row of this app
   * and status came that way (an app's runs mostly come one way): most runs find their series here.
   */
  runs: { triggeredFrom: string; createdFrom: string; series: CounterChild } | null;
  /** Trigger and source of the last run that did not (runs alternating between ways bind nothing). */
  missedTriggeredFrom: string;
  missedCreatedFrom: string;
}

interface AppSeries {
  exceptions: CounterChild;
  byStatus: Map<string, StatusSeries>;
}

export interface RecorderOptions {
  /** Attach trace_id exemplars (OpenMetrics) to runs, durations and tokens. */
  exemplars: boolean;
  /** Writes the trace id a run's span carries, as four 32-bit words (tracing/ids.ts), into `out`. */
  traceWordsForRun: (runId: string, out: Uint32Array) => void;
}

function setExemplar(e: Exemplar, traceId: Uint32Array, value: number, timestamp: number): Exemplar {
  e.traceId = traceId;
  e.value = value;
  e.timestamp = timestamp;
  return e;
}

export class RunRecorder {
  /** Bounded like the series themselves: apps come from the config, statuses and labels from fixed sets. */
  private readonly apps = new Map<string, AppSeries>();
  /** Reused for every run (the metrics copy an exemplar's fields): no objects per run. */
  private readonly traceId = new Uint32Array(4);
  /** The run counter's label values, filled for each run (a family keeps no reference to them). */
  private readonly runLabels: string[] = ['', '', '', ''];
  private readonly exemplar: Exemplar = { traceId: this.traceId, value: 0, timestamp: 0 };
  private readonly durationExemplar: Exemplar = { traceId: this.traceId, value: 0, timestamp: 0 };
  private readonly tokenExemplar: Exemplar = { traceId: this.traceId, value: 0, timestamp: 0 };

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
    this.apps.delete(app);
  }

  private seriesFor(app: string, status: string): StatusSeries {
    let a = this.apps.get(app);
    if (a === undefined) {
      a = { exceptions: this.m.exceptions.child([app]), byStatus: new Map() };
      this.apps.set(app, a);
    }
    let s = a.byStatus.get(status);
    if (s === undefined) {
      const labels = [app, status];
      s = {
        duration: this.m.duration.child(labels),
        runTokens: this.m.runTokens.child(labels),
        tokens: this.m.tokens.child(labels),
        steps: this.m.steps.child(labels),
        lastFinished: this.m.lastFinished.child(labels),
        exceptions: a.exceptions,
        runs: null,
        missedTriggeredFrom: '',
        missedCreatedFrom: '',
      };
      a.byStatus.set(status, s);
    }
    return s;
  }

  record(app: string, run: FinishedRun): void {
    const status = run.status;
    let exemplar: Exemplar | undefined;
    let durationExemplar: Exemplar | undefined;
    let tokenExemplar: Exemplar | undefined;
    if (this.opts.exemplars) {
      const traceId = this.traceId;
      this.opts.traceWordsForRun(run.runId, traceId);
      const ts = run.finishedAt ?? run.runCreatedAt + run.elapsedSeconds;
      exemplar = setExemplar(this.exemplar, traceId, 1, ts);
      durationExemplar = setExemplar(this.durationExemplar, traceId, run.elapsedSeconds, ts);
      tokenExemplar = setExemplar(this.tokenExemplar, traceId, run.totalTokens, ts);
    }
    const series = this.seriesFor(app, status);
    // Not bound for every trigger and source like the others are for their labels: with all in
    // use there are 54 per app and status, and a bound child each, with the maps to find it, held
    // ~6 MB at 200 apps. One is bound (see StatusSeries.runs); others are looked up by labels.
    const { triggeredFrom, createdFrom } = run;
    const bound = series.runs;
    if (bound !== null && bound.triggeredFrom === triggeredFrom && bound.createdFrom === createdFrom) {
      bound.series.inc(1, exemplar);
    } else {
      const labels = this.runLabels;
      labels[0] = app;
      labels[1] = status;
      labels[2] = triggeredFrom;
      labels[3] = createdFrom;
      this.m.runs.inc(labels, 1, exemplar);
      if (series.missedTriggeredFrom === triggeredFrom && series.missedCreatedFrom === createdFrom) {
        series.runs = { triggeredFrom, createdFrom, series: this.m.runs.child(labels) };
      }
      series.missedTriggeredFrom = triggeredFrom;
      series.missedCreatedFrom = createdFrom;
    }
    series.duration.observe(run.elapsedSeconds, durationExemplar);
    series.runTokens.observe(run.totalTokens, tokenExemplar);
    if (run.totalTokens > 0) series.tokens.inc(run.totalTokens);
    series.steps.observe(run.totalSteps);
    if (run.exceptionsCount > 0) series.exceptions.inc(run.exceptionsCount);
    const finished = run.finishedAt ?? Math.floor(run.runCreatedAt + run.elapsedSeconds);
    if (finished > series.lastFinished.value()) series.lastFinished.set(finished);
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
