/** Process metrics in OpenMetrics are made from prom-client's text output; they must read as prom-client's own. */
import client from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createProcessMetricsSource, textToOpenMetrics } from '../../src/metrics/process-metrics.js';

const values = (s: string) => s.replace(/ [0-9.e+-]+$/gm, ' <v>');

describe('process metrics', () => {
  it('in OpenMetrics read as prom-client renders them from an OpenMetrics registry', async () => {
    const text = new client.Registry();
    const om = new client.Registry<client.OpenMetricsContentType>();
    om.setContentType(client.openMetricsContentType);
    client.collectDefaultMetrics({ register: text });
    client.collectDefaultMetrics({ register: om });
    const expected = (await om.metrics()).replace(/# EOF\n?$/, '');
    expect(values(textToOpenMetrics(await text.metrics()))).toBe(values(expected));
  });

  it('name counter families without _total in OpenMetrics and keep it in the text format', async () => {
    const source = createProcessMetricsSource();
    const text = await source('prometheus');
    const om = await source('openmetrics');
    expect(text).toContain('# TYPE process_cpu_seconds_total counter\n');
    expect(om).toContain('# TYPE process_cpu_seconds counter\n');
    expect(om).toMatch(/^process_cpu_seconds_total \S+$/m);
    expect(om).not.toContain('\n\n');
    expect(om).not.toContain('# EOF');
    expect(text).not.toMatch(/^# TYPE \S+_total gauge$/m);
  });
});
