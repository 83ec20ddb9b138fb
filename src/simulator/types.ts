/** Shapes shared by the simulator's parts and its users (tests, benchmarks, the demo). */

export type AppMode = 'workflow' | 'advanced-chat' | 'chat' | 'agent-chat' | 'completion';
export type AppState = 'ok' | 'forbidden';

/** How a run starts. Everything is optional; defaults look like an API call by an end user. */
export interface RunInit {
  /** Default 'app-run'; `null` leaves the field out of the row, as Dify before 1.11 does. */
  triggeredFrom: string | null;
  /** Default 'service-api'. */
  createdFrom: string;
  /** Default 'end_user'. */
  createdByRole: 'account' | 'end_user';
  endUserId: string;
  sessionId: string;
  /** Workflow version string; default a published version timestamp. */
  version: string;
  inputs: Record<string, unknown>;
}

/** How a run ends. `status` may be any string, to exercise unknown statuses. */
export interface RunOutcome {
  status: string;
  totalTokens?: number;
  totalSteps?: number;
  exceptionsCount?: number;
  error?: string | null;
  /** Default: finish time minus start time, from the simulator's clock. */
  elapsedSeconds?: number;
  outputs?: Record<string, unknown>;
}

/** One run as Dify would report it in its log row (times in Unix seconds, truncated like Dify). */
export interface SimRunRecord {
  logId: string;
  runId: string;
  status: string;
  /** Log row created_at (seconds). */
  createdAt: number;
  /** Log row created_at with the stored microseconds. */
  createdAtMicros: number;
  runCreatedAt: number;
  finishedAt: number | null;
  elapsedSeconds: number;
  totalTokens: number;
  totalSteps: number;
  exceptionsCount: number;
  triggeredFrom: string | null;
  createdFrom: string;
  createdByRole: string;
  version: string;
  error: string | null;
  endUserId: string | null;
  sessionId: string | null;
}

export const FINAL_RUN_STATUSES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'stopped', 'partial-succeeded']);
