/** The small HTML page at `/`: what the exporter watches and how each target is doing. */
import type { TargetStatus } from '../poller/target-worker.js';

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

export function renderLandingPage(version: string, targets: readonly TargetStatus[]): string {
  const rows = targets
    .map((t) => {
      const state = t.polls === 0 ? 'waiting for first poll' : t.up ? 'up' : `down: ${t.lastError ?? 'unknown error'}`;
      const last = t.lastSuccessMs ? new Date(t.lastSuccessMs).toISOString() : 'never';
      return `<tr><td>${esc(t.app)}</td><td>${esc(new URL(t.baseUrl).host)}</td><td>${esc(t.mode ?? '?')}</td><td>${esc(t.serverVersion ?? '?')}</td><td class="${t.up ? 'up' : 'down'}">${esc(state)}</td><td>${t.counted}</td><td>${t.pending}</td><td>${last}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>dify-exporter</title>
<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}.up{color:#1a7f37}.down{color:#cf222e}</style>
</head><body>
<h1>dify-exporter ${esc(version)}</h1>
<p><a href="metrics">/metrics</a> · <a href="healthz">/healthz</a> · <a href="readyz">/readyz</a></p>
<table><thead><tr><th>app</th><th>server</th><th>mode</th><th>Dify version</th><th>state</th><th>runs counted</th><th>unfinished runs followed</th><th>last successful poll</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}
