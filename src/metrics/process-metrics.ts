/**
 * Default process and Node.js metrics from prom-client, collected by one registry (one event-loop
 * monitor, one GC observer) and rendered in either format. prom-client renders OpenMetrics only
 * from a registry of that content type, and renames counters in place when it does, so the
 * OpenMetrics form is made here from the text one: counter families lose `_total` in their HELP
 * and TYPE lines (their samples keep it), and families are not separated by blank lines.
 */
import client from 'prom-client';
import type { ExpositionFormat } from './exposition/format.js';

export function createProcessMetricsSource(): (format: ExpositionFormat) => Promise<string> {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  // prom-client also serves gauges named *_total (duplicates of nodejs_active_*): invalid for
  // promtool and OpenMetrics, so they go.
  for (const m of registry.getMetricsAsArray()) if (String(m.type) === 'gauge' && m.name.endsWith('_total')) registry.removeSingleMetric(m.name);
  return async (format) => {
    const text = await registry.metrics();
    return format === 'openmetrics' ? textToOpenMetrics(text) : text;
  };
}

/** prom-client's text exposition as OpenMetrics lines (without `# EOF`: the registry ends the scrape). */
export function textToOpenMetrics(text: string): string {
  const counters = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) counter$/gm)) counters.add(m[1] as string);
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+)(.*)$/.exec(line);
    const family = meta?.[2];
    if (meta && family !== undefined && counters.has(family) && family.endsWith('_total')) {
      lines.push(`# ${meta[1]} ${family.slice(0, -'_total'.length)}${meta[3]}`);
    } else lines.push(line);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
