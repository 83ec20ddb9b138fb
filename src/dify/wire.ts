/**
 * Wire shapes of the Dify service API, as Dify sends them (see shared/dify-api/BEHAVIOUR.md).
 * Only the envelope is validated here; each row is mapped (and checked) once, in src/model/run.ts.
 */
import { z } from 'zod';

export interface WireWorkflowRun {
  id: string;
  version?: string | null;
  status: string;
  error?: string | null;
  elapsed_time?: number | null;
  total_tokens?: number | null;
  total_steps?: number | null;
  created_at: number;
  finished_at?: number | null;
  exceptions_count?: number | null;
  triggered_from?: string | null;
}

export interface WireEndUser {
  id: string;
  type?: string;
  is_anonymous?: boolean;
  session_id?: string | null;
}

export interface WireLogRow {
  id: string;
  workflow_run: WireWorkflowRun | null;
  created_from?: string | null;
  created_by_role?: string | null;
  created_by_account?: { id: string; name?: string; email?: string } | null;
  created_by_end_user?: WireEndUser | null;
  created_at: number;
  details?: unknown;
}

export const logsPageSchema = z.object({
  page: z.number().int(),
  limit: z.number().int(),
  total: z.number().int().nonnegative(),
  has_more: z.boolean(),
  // An array, its rows as they are: each row is read (and a bad one skipped) by the poller. Not
  // z.array(z.unknown()), which copies the array and makes a result object per row.
  data: z.custom<unknown[]>((value) => Array.isArray(value)),
});
export type WireLogsPage = z.infer<typeof logsPageSchema>;

export const appInfoSchema = z.object({
  name: z.string(),
  description: z.string().nullish(),
  tags: z.array(z.unknown()).nullish(),
  mode: z.string(),
  author_name: z.string().nullish(),
});
export type WireAppInfo = z.infer<typeof appInfoSchema>;

export const serverRootSchema = z.object({
  welcome: z.string().optional(),
  api_version: z.string().optional(),
  server_version: z.string().optional(),
});
export type WireServerRoot = z.infer<typeof serverRootSchema>;

export const errorBodySchema = z.object({
  code: z.string(),
  message: z.string().optional(),
  status: z.number().optional(),
});
export type WireErrorBody = z.infer<typeof errorBodySchema>;
