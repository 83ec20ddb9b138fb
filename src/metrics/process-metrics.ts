/**
 * Default process and Node.js metrics from prom-client, one registry per exposition format
 * (prom-client renames counters in place when rendering OpenMetrics, so the two must not share).
 */
import client from 'prom-client';
import type { ExpositionFormat } from './exposition/format.js';

export function createProcessMetricsSource(): (format: ExpositionFormat) => Promise<string> {
  const text = new client.Registry();
  const om = new client.Registry<client.OpenMetricsContentType>();
  om.setContentType(client.openMetricsContentType);
  client.collectDefaultMetrics({ register: text });
  client.collectDefaultMetrics({ register: om });
  // prom-client also serves gauges named *_total (duplicates of nodejs_active_*): invalid for
  // promtool and OpenMetrics, so they go.
  for (const reg of [text, om]) {
    for (const m of reg.getMetricsAsArray()) if (String(m.type) === 'gauge' && m.name.endsWith('_total')) reg.removeSingleMetric(m.name);
  }
  return async (format) => {
    const out = format === 'openmetrics' ? await om.metrics() : await text.metrics();
    return format === 'openmetrics' ? out.replace(/# EOF\n?$/, '') : out;
  };
}
