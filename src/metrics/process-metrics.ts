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
  return async (format) => {
    const out = format === 'openmetrics' ? await om.metrics() : await text.metrics();
    return format === 'openmetrics' ? out.replace(/# EOF\n?$/, '') : out;
  };
}
