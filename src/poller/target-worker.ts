/**
 * Everything about one configured app: finding out what it is (GET / and /info), polling its
 * logs, and reporting the outcome to metrics, spans and the status page.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { DifyClient } from '../dify/client.js';
import { DifyApiError } from '../dify/errors.js';
import type { WireServerRoot } from '../dify/wire.js';
import type { PollErrorReason } from '../metrics/definitions.js';
import type { RunRecorder } from '../metrics/run-recorder.js';
import { modeRecordsWorkflowLogs, modeWarning } from '../model/app-mode.js';
import type { FinishedRun } from '../model/run.js';
import { TargetState, type TargetStateJSON } from '../state/target-state.js';
import type { CatchUpBudget } from './catch-up-budget.js';
import { LogPoller, type PollOutcome, type PollSettings } from './log-poller.js';


/** How often the Dify version (GET /v1/) is read again, to notice upgrades. */
const REFRESH_SERVER_VERSION_MS = 10 * 60_000;

export interface TargetStatus {
  app: string;
  baseUrl: string;
  mode: string | null;
  serverVersion: string | null;
  up: boolean;
  polls: number;
  lastError: string | null;
  lastSuccessMs: number | null;
  pending: number;
  counted: number;
}

export interface TargetWorkerDeps {
  client: DifyClient;
  recorder: RunRecorder;
  clock: Clock;
  logger: Logger;
  settings: PollSettings & { initialLookbackMs: number };
  /** This target's saved state (from the state file), if any. */
  savedState: TargetStateJSON | undefined;
  /** Called once per counted run, after the metrics are updated. */
  onRun: (app: { name: string; mode: string; serverVersion: string }, run: FinishedRun) => void;
  /** How many runs a backlog catch-up may take in now (fewer while spans wait to be delivered); shared by all targets. */
  catchUpBudget: CatchUpBudget;
  /** Makes an app name unique among targets (names from /info may collide). */
  claimName: (wanted: string) => string;
}

export class TargetWorker {
  private appName: string;
  private named: boolean;
  private mode: string | null = null;
  private serverVersion: string | null = null;
  private state: TargetState | null = null;
  private poller: LogPoller | null = null;
  private up = false;
  private polls = 0;
  private counted = 0;
  private lastError: string | null = null;
  private lastSuccessMs: number | null = null;
  private consecutiveAuthFailures = 0;
  private warnedUnsupported = false;
  private warnedLate = false;
  private identifiedAtMs = 0;
  /** State only changes in polls: serialised once per poll at most. */
  private stateTextCache: { polls: number; text: Iterable<string> } | null = null;
  private more = false;

  constructor(
    readonly baseUrl: string,
    configuredName: string | null,
    provisionalName: string,
    private readonly deps: TargetWorkerDeps,
  ) {
    this.named = configuredName !== null;
    this.appName = configuredName ?? provisionalName;
    deps.recorder.initApp(this.appName);
  }

  get app(): string {
    return this.appName;
  }

  /** Polls done (successful or not); /readyz waits for one per target. */
  get pollCount(): number {
    return this.polls;
  }

  /** After auth/forbidden failures, wait longer before trying again (never hammer a bad key). */
  get authBackoffFactor(): number {
    return this.consecutiveAuthFailures === 0 ? 1 : Math.min(40, 2 ** this.consecutiveAuthFailures);
  }

  status(): TargetStatus {
    return {
      app: this.appName,
      baseUrl: this.baseUrl,
      mode: this.mode,
      serverVersion: this.serverVersion,
      up: this.up,
      polls: this.polls,
      lastError: this.lastError,
      lastSuccessMs: this.lastSuccessMs,
      pending: this.state?.pending.size ?? 0,
      counted: this.counted,
    };
  }

  /** The state to persist, as pieces of JSON text: the saved one until the app is identified. */
  stateText(): Iterable<string> | undefined {
    if (this.stateTextCache?.polls === this.polls) return this.stateTextCache.text;
    let text: Iterable<string>;
    if (this.state) text = this.state.stateText(this.appName);
    else if (this.deps.savedState) text = [JSON.stringify(this.deps.savedState)];
    else return undefined;
    this.stateTextCache = { polls: this.polls, text };
    return text;
  }

  async pollOnce(signal?: AbortSignal): Promise<void> {
    const { recorder, clock, logger } = this.deps;
    const started = clock.now();
    // Only a successful poll that left a backlog asks for another at once; a failure waits.
    this.more = false;
    try {
      if (!this.poller) await this.identify(signal);
      else if (started - this.identifiedAtMs > REFRESH_SERVER_VERSION_MS) await this.refreshServerVersion(signal);
      const outcome = await (this.poller as LogPoller).poll(signal);
      const now = clock.now();
      this.up = true;
      this.lastError = null;
      this.lastSuccessMs = now;
      this.consecutiveAuthFailures = 0;
      recorder.pollSucceeded(this.appName, Math.floor(now / 1000), (now - started) / 1000);
      recorder.setInProgress(this.appName, outcome.inProgress);
      this.report(outcome);
      logger.debug({ app: this.appName, counted: outcome.counted, pages: outcome.pages, lookups: outcome.lookups }, 'poll done');
    } catch (err) {
      if (signal?.aborted) return;
      const e = err instanceof DifyApiError ? err : new DifyApiError('bad_response', (err as Error).message);
      if (e.reason === 'not_workflow_app') return this.unsupported(started);
      const reason: PollErrorReason = e.reason;
      this.up = false;
      this.lastError = e.message;
      if (reason === 'auth' || reason === 'forbidden') this.consecutiveAuthFailures++;
      recorder.pollFailed(this.appName, reason, (clock.now() - started) / 1000);
      const level = reason === 'auth' || reason === 'forbidden' ? 'error' : 'warn';
      logger[level]({ app: this.appName, reason, problem: e.message }, 'poll failed');
    } finally {
      this.polls++;
    }
  }

  /** A backlog is left from the last poll and may be read on: poll again at once. */
  get behind(): boolean {
    return this.more && this.deps.catchUpBudget.available() >= this.deps.settings.pageLimit;
  }

  /** A backlog is left but the span outbox has no room for it yet: poll again when it has. */
  get heldBack(): boolean {
    return this.more && !this.behind;
  }

  private report(outcome: PollOutcome): void {
    const { recorder, logger, settings } = this.deps;
    const app = this.appName;
    this.more = outcome.more;
    for (const reason of ['pending_full', 'row_gone', 'expired'] as const) {
      const n = outcome.dropped[reason];
      if (n === 0) continue;
      recorder.pendingDropped(app, reason, n);
      logger.warn({ app, dropped: n, reason }, 'stopped following unfinished runs');
    }
    if (outcome.badRows > 0) {
      recorder.badRows(app, outcome.badRows);
      logger.warn({ app, rows: outcome.badRows }, 'skipped log rows that could not be read');
    }
    if (outcome.lateSeconds > 0) {
      const max = recorder.lateRow(app, outcome.lateSeconds);
      if (!this.warnedLate && max * 2 >= settings.overlapSeconds) {
        this.warnedLate = true;
        logger.warn(
          { app, lateSeconds: max, overlapSeconds: settings.overlapSeconds },
          'rows turn up this late after newer ones: raise poll.overlap above it, or late rows will be missed',
        );
      }
    }
  }

  private async refreshServerVersion(signal?: AbortSignal): Promise<void> {
    this.identifiedAtMs = this.deps.clock.now();
    const root = await this.deps.client.getServerRoot(signal).catch(() => null);
    const version = root?.server_version;
    if (!version || version === this.serverVersion || !this.mode) return;
    this.deps.logger.info({ app: this.appName, from: this.serverVersion, to: version }, 'Dify server version changed');
    this.describe(this.mode, version);
  }

  private async identify(signal?: AbortSignal): Promise<void> {
    const { client, recorder, logger, clock } = this.deps;
    this.identifiedAtMs = clock.now();
    const root: WireServerRoot = await client.getServerRoot(signal).catch((err: unknown) => {
      // Some proxies hide GET /v1/; the version is informative only.
      if (err instanceof DifyApiError && (err.reason === 'bad_response' || err.reason === 'auth')) return {};
      throw err;
    });
    const info = await client.getAppInfo(signal);
    if (!this.named) {
      const name = this.deps.claimName(info.name);
      if (name !== this.appName) {
        recorder.forgetApp(this.appName);
        this.appName = name;
        recorder.initApp(name);
      }
      this.named = true;
    }
    this.describe(info.mode, root.server_version ?? 'unknown');
    if (!modeRecordsWorkflowLogs(info.mode) && !this.warnedUnsupported) {
      this.warnedUnsupported = true;
      logger.warn(
        { app: this.appName, mode: info.mode, serverVersion: this.serverVersion },
        modeWarning(info.mode) ?? '',
      );
    }
    this.state = this.restoreState();
    this.poller = new LogPoller(client, this.state, clock, this.deps.settings, (run) => {
      this.counted++;
      recorder.record(this.appName, run);
      this.deps.onRun({ name: this.appName, mode: this.mode ?? 'unknown', serverVersion: this.serverVersion ?? 'unknown' }, run);
    }, this.deps.catchUpBudget);
    logger.info({ app: this.appName, mode: info.mode, serverVersion: this.serverVersion, resumed: Boolean(this.deps.savedState) }, 'target identified');
  }

  /** The saved state, or a first start: "from now on" (minus the lookback) by Dify's clock when it lags ours. */
  private restoreState(): TargetState {
    const { savedState, clock, client, settings, logger } = this.deps;
    if (savedState) {
      try {
        return TargetState.fromJSON(savedState);
      } catch (err) {
        logger.error({ app: this.appName, problem: (err as Error).message }, 'saved state of this target is unreadable: starting it afresh');
      }
    }
    const nowMs = Math.min(clock.now(), client.serverTimeMs ?? Infinity);
    return new TargetState(Math.floor(nowMs / 1000) - Math.floor(settings.initialLookbackMs / 1000));
  }

  /** The app's mode and Dify version, as shown in dify_exporter_target_info. */
  private describe(mode: string, serverVersion: string): void {
    this.mode = mode;
    this.serverVersion = serverVersion;
    this.deps.recorder.targetInfo(this.appName, mode, serverVersion, !modeRecordsWorkflowLogs(mode));
  }

  /** Newer Dify answers 400 not_workflow_app for chat/completion keys: a healthy, empty app. */
  private unsupported(started: number): void {
    const now = this.deps.clock.now();
    this.up = true;
    this.lastError = null;
    this.lastSuccessMs = now;
    this.deps.recorder.pollSucceeded(this.appName, Math.floor(now / 1000), (now - started) / 1000);
  }
}
