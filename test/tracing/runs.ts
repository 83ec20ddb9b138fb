/** FinishedRun objects for tracing tests. */
import { randomUUID } from 'node:crypto';
import type { FinishedRun } from '../../src/model/run.js';

export function finishedRun(overrides: Partial<FinishedRun> = {}): FinishedRun {
  return {
    logId: randomUUID(),
    runId: randomUUID(),
    status: 'succeeded',
    rawStatus: overrides.status ?? 'succeeded',
    createdAt: 1_700_000_000,
    runCreatedAt: 1_700_000_000,
    finishedAt: 1_700_000_003,
    elapsedSeconds: 2.75,
    totalTokens: 1234,
    totalSteps: 5,
    exceptionsCount: 0,
    triggeredFrom: 'app-run',
    createdFrom: 'service-api',
    createdByRole: 'end_user',
    workflowVersion: '2025-01-01 10:00:00.000000',
    error: null,
    endUserId: 'end-user-1',
    sessionId: 'alice@example.com',
    ...overrides,
  };
}

export function finishedRuns(n: number, overrides: Partial<FinishedRun> = {}): FinishedRun[] {
  return Array.from({ length: n }, () => finishedRun(overrides));
}
