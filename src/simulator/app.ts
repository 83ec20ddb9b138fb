/**
 * One simulated Dify app: its runs, its log rows and the scripted ways to change them.
 *
 * Which runs get a log row, as in Dify 1.9 to 1.16:
 * - `workflow` apps: every run. Dify >= 1.11 writes the row when the run starts (status running,
 *   later paused / final, same row id and created_at); older versions write it when the run ends
 *   (created_at = finish time, status already final).
 * - `advanced-chat` (chatflow) apps: never. Dify keeps their runs (`/workflows/run/{id}` works) but
 *   writes no workflow log rows, so the listing stays empty however many runs are added.
 * - `chat`, `agent-chat`, `completion`: no workflow runs exist; runs added here are invisible.
 */
import type { Clock } from '../clock.js';
import { Prng } from './prng.js';
import { IN_PROGRESS, isFinished, toRecord, type LogRow, type SimRun } from './run.js';
import { LogStore } from './log-store.js';
import type { AppMode, AppState, RunInit, RunOutcome, SimRunRecord } from './types.js';

export interface SimApp {
  readonly name: string;
  readonly apiKey: string;
  readonly mode: AppMode;
  readonly state: AppState;
  setState(state: AppState): void;
  /** Whether the run exists (it may have been deleted). */
  hasRun(runId: string): boolean;
  /** Starts a run now; returns its id (UUID v4). */
  startRun(init?: Partial<RunInit>): string;
  pauseRun(runId: string): void;
  resumeRun(runId: string): void;
  finishRun(runId: string, outcome: RunOutcome): void;
  /**
   * A finished run whose log row appears now (created_at = current clock in both versions).
   * From 1.11 it starts now (finished_at = now + elapsedSeconds); before, it ends now.
   */
  addFinishedRun(init?: Partial<RunInit & RunOutcome>): string;
  /** Inserts n finished runs with log rows spread uniformly over [fromMs, toMs); seeded, fast. */
  addFinishedBacklog(n: number, opts: BacklogOptions): void;
  /** The run's row shows `workflow_run: null` in the next `responses` listing responses that include it. */
  setRunNullFor(runId: string, responses: number): void;
  /** Removes the run and its log row (as if deleted in Dify). It leaves the ground truth too. */
  deleteRun(runId: string): void;
  /** Ground truth: every run whose log row shows a final (or unknown) status, as Dify reports it. */
  finishedRuns(): ReadonlyArray<SimRunRecord>;
  /** Runs still running or paused (logId '' when this Dify version has not written their row yet). */
  inProgressRuns(): ReadonlyArray<SimRunRecord>;
  /** Number of log rows the listing can return. */
  readonly rowCount: number;
}

export interface BacklogOptions {
  fromMs: number;
  toMs: number;
  seed: number;
}

export interface AppContext {
  clock: Clock;
  newId: () => string;
  /** Dify >= 1.11: log row written at run start. */
  rowAtStart: boolean;
  /**
   * Upper bound of a random delay between a row's created_at and the moment listings can see it
   * (the writing transaction commits later than the time it stamped). 0 = visible at once.
   */
  commitDelayMs: number;
  /** Random numbers in [0, 1) for commit delays. */
  random: () => number;
}

const DEFAULT_VERSION = '2025-01-16 12:00:00.000000';

export class SimAppImpl implements SimApp {
  readonly workflowId: string;
  /** The admin account that `created_by_role: account` runs belong to. */
  private readonly accountId: string;
  readonly store = new LogStore();
  private readonly runs = new Map<string, SimRun>();
  private readonly running = new Set<SimRun>();
  /** Rows written but not committed yet, as [visible-from ms, row]. */
  private uncommitted: Array<[number, LogRow]> = [];
  private stateValue: AppState;
  description = '';
  authorName = 'Simulated Admin';

  constructor(
    readonly name: string,
    readonly apiKey: string,
    readonly mode: AppMode,
    state: AppState,
    private readonly ctx: AppContext,
  ) {
    this.stateValue = state;
    this.workflowId = ctx.newId();
    this.accountId = ctx.newId();
  }

  get state(): AppState {
    return this.stateValue;
  }

  setState(state: AppState): void {
    this.stateValue = state;
  }

  get rowCount(): number {
    return this.store.size;
  }

  /** Only workflow apps get log rows (see the file comment). */
  get writesRows(): boolean {
    return this.mode === 'workflow';
  }

  hasRun(runId: string): boolean {
    return this.runs.has(runId);
  }

  getRun(runId: string): SimRun | undefined {
    return this.runs.get(runId);
  }

  private nowMicros(): number {
    return Math.round(this.ctx.clock.now() * 1000);
  }

  private mustGet(runId: string): SimRun {
    const run = this.runs.get(runId);
    if (!run) throw new Error(`simulator: no run ${runId} in app ${this.name}`);
    return run;
  }

  private newRun(init: Partial<RunInit>, micros: number, id: string): SimRun {
    const role = init.createdByRole ?? 'end_user';
    return {
      id,
      status: 'running',
      createdMicros: micros,
      finishedMicros: null,
      elapsedSeconds: 0,
      totalTokens: 0,
      totalSteps: 0,
      exceptionsCount: 0,
      error: null,
      triggeredFrom: init.triggeredFrom === undefined ? 'app-run' : init.triggeredFrom,
      createdFrom: init.createdFrom ?? 'service-api',
      createdByRole: role,
      endUserId: role === 'end_user' ? (init.endUserId ?? this.ctx.newId()) : null,
      accountId: role === 'account' ? this.accountId : null,
      sessionId: role === 'end_user' ? (init.sessionId ?? 'sim-user') : null,
      version: init.version ?? DEFAULT_VERSION,
      inputs: init.inputs ?? {},
      outputs: null,
      inputsText: null,
      outputsText: null,
      row: null,
      nullFor: 0,
    };
  }

  private writeRow(run: SimRun, micros: number, logId: string): void {
    const row: LogRow = { id: logId, micros, run };
    run.row = row;
    if (this.ctx.commitDelayMs <= 0) this.store.insert(row);
    else this.uncommitted.push([this.ctx.clock.now() + this.ctx.random() * this.ctx.commitDelayMs, row]);
  }

  /** Makes rows whose transaction has committed by now visible to listings. */
  commitDue(): void {
    if (this.uncommitted.length === 0) return;
    const now = this.ctx.clock.now();
    const still: Array<[number, LogRow]> = [];
    for (const entry of this.uncommitted) {
      if (entry[0] <= now) this.store.insert(entry[1]);
      else still.push(entry);
    }
    this.uncommitted = still;
  }

  startRun(init: Partial<RunInit> = {}): string {
    const micros = this.nowMicros();
    const run = this.newRun(init, micros, this.ctx.newId());
    this.runs.set(run.id, run);
    this.running.add(run);
    if (this.writesRows && this.ctx.rowAtStart) this.writeRow(run, micros, this.ctx.newId());
    return run.id;
  }

  pauseRun(runId: string): void {
    const run = this.mustGet(runId);
    if (isFinished(run)) throw new Error(`simulator: run ${runId} already finished`);
    run.status = 'paused';
  }

  resumeRun(runId: string): void {
    const run = this.mustGet(runId);
    if (isFinished(run)) throw new Error(`simulator: run ${runId} already finished`);
    run.status = 'running';
  }

  finishRun(runId: string, outcome: RunOutcome): void {
    const run = this.mustGet(runId);
    if (isFinished(run)) throw new Error(`simulator: run ${runId} already finished`);
    if (IN_PROGRESS.has(outcome.status)) throw new Error(`simulator: '${outcome.status}' is not a final status`);
    this.finishAt(run, outcome, this.nowMicros());
  }

  private finishAt(run: SimRun, outcome: RunOutcome, finishedMicros: number): void {
    run.status = outcome.status;
    run.finishedMicros = finishedMicros;
    run.elapsedSeconds = outcome.elapsedSeconds ?? Math.max(0, finishedMicros - run.createdMicros) / 1e6;
    run.totalTokens = outcome.totalTokens ?? 0;
    run.totalSteps = outcome.totalSteps ?? 0;
    run.exceptionsCount = outcome.exceptionsCount ?? 0;
    run.error = outcome.error ?? (outcome.status === 'failed' ? 'simulated failure' : null);
    run.outputs = outcome.outputs ?? {};
    run.outputsText = null;
    this.running.delete(run);
    if (this.writesRows && run.row === null) this.writeRow(run, finishedMicros, this.ctx.newId());
  }

  addFinishedRun(init: Partial<RunInit & RunOutcome> = {}): string {
    // The log row's created_at is the current clock in both versions: from 1.11 the run starts now
    // (finished_at = now + elapsed); before 1.11 the run ends now (its created_at = now - elapsed).
    const now = this.nowMicros();
    const elapsed = init.elapsedSeconds ?? 0;
    const elapsedMicros = Math.round(elapsed * 1e6);
    const start = this.ctx.rowAtStart ? now : now - elapsedMicros;
    const run = this.newRun(init, start, this.ctx.newId());
    this.runs.set(run.id, run);
    if (this.writesRows && this.ctx.rowAtStart) this.writeRow(run, start, this.ctx.newId());
    this.finishAt(run, { ...init, status: init.status ?? 'succeeded', elapsedSeconds: elapsed }, start + elapsedMicros);
    return run.id;
  }

  addFinishedBacklog(n: number, opts: BacklogOptions): void {
    const rng = new Prng(opts.seed);
    const span = Math.max(0, opts.toMs - opts.fromMs) * 1000;
    const times = new Float64Array(n);
    for (let i = 0; i < n; i++) times[i] = Math.floor(opts.fromMs * 1000 + rng.next() * span);
    times.sort();
    const users: string[] = [];
    const sessions: string[] = [];
    for (let i = 0; i < 32; i++) {
      users.push(rng.uuid());
      sessions.push(`user-${i}`);
    }
    const rows: LogRow[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const rowMicros = times[i]!;
      const u = rng.next();
      const status = u < 0.85 ? 'succeeded' : u < 0.93 ? 'failed' : u < 0.97 ? 'partial-succeeded' : 'stopped';
      const elapsed = Math.round(Math.exp(rng.normal() * 1.2 + 1.5) * 1000) / 1000;
      const elapsedMicros = Math.round(elapsed * 1e6);
      const startMicros = this.ctx.rowAtStart ? rowMicros : rowMicros - elapsedMicros;
      const userIndex = rng.int(0, users.length - 1);
      const run = this.newRun({ endUserId: users[userIndex]!, sessionId: sessions[userIndex]! }, startMicros, rng.uuid());
      run.status = status;
      run.finishedMicros = startMicros + elapsedMicros;
      run.elapsedSeconds = elapsed;
      run.totalTokens = rng.int(50, 20_000);
      run.totalSteps = rng.int(1, 40);
      run.exceptionsCount = status === 'partial-succeeded' ? rng.int(1, 3) : 0;
      run.error = status === 'failed' ? 'simulated failure' : null;
      run.outputs = {};
      this.runs.set(run.id, run);
      rows[i] = { id: rng.uuid(), micros: rowMicros, run };
      run.row = rows[i]!;
    }
    if (this.writesRows) this.store.insertSorted(rows);
    else for (const r of rows) r.run.row = null;
  }

  setRunNullFor(runId: string, responses: number): void {
    this.mustGet(runId).nullFor = responses;
  }

  deleteRun(runId: string): void {
    const run = this.mustGet(runId);
    this.runs.delete(runId);
    this.running.delete(run);
    if (run.row) {
      this.store.remove(run.row);
      this.uncommitted = this.uncommitted.filter(([, r]) => r !== run.row);
    }
  }

  finishedRuns(): ReadonlyArray<SimRunRecord> {
    if (!this.writesRows) return [];
    const out: SimRunRecord[] = [];
    for (const run of this.runs.values()) if (isFinished(run)) out.push(toRecord(run));
    return out;
  }

  inProgressRuns(): ReadonlyArray<SimRunRecord> {
    return [...this.running].map(toRecord);
  }
}
