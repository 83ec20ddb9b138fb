/**
 * Which Dify app modes get rows in workflow logs. Dify 1.9 to 1.16 write rows for `workflow` apps
 * only: chatflow (`advanced-chat`) runs are never logged there, and chat/completion apps have no
 * workflow runs at all (see shared/dify-api/BEHAVIOUR.md).
 */
export function modeRecordsWorkflowLogs(mode: string): boolean {
  return mode === 'workflow';
}

/** The one warning a user sees (log line, `check` output) for an app that will show no runs. */
export function modeWarning(mode: string): string | null {
  if (modeRecordsWorkflowLogs(mode)) return null;
  if (mode === 'advanced-chat') return 'chatflow app: Dify records no chatflow runs in workflow logs, so this app will show no runs';
  return `${mode} app is not a workflow app: Dify records no such runs in workflow logs, so this app will show no runs`;
}
