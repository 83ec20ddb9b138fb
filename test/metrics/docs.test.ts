import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defineMetrics } from '../../src/metrics/definitions.js';
import { MetricRegistry } from '../../src/metrics/exposition/registry.js';
import { registerSpanDeliveryMetrics } from '../../src/tracing/self-metrics.js';

/** Every dify_* family the exporter registers, with its type and labels. */
function registered(): Map<string, { type: string; labels: string[] }> {
  const registry = new MetricRegistry();
  defineMetrics(registry);
  registerSpanDeliveryMetrics(registry);
  return new Map(
    registry.names().map((n) => {
      const f = registry.get(n);
      return [n, { type: f?.type ?? '', labels: [...(f?.labelNames ?? [])] }];
    }),
  );
}

/** Rows of the tables in docs/metrics.md: | `name` | type | labels | meaning | */
function documented(): Map<string, { type: string; labels: string[] }> {
  const text = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
  const rows = new Map<string, { type: string; labels: string[] }>();
  for (const m of text.matchAll(/^\| `(dify_[a-z_]+)` \| (\w+) \|([^|]*)\|/gm)) {
    const labels = (m[3] as string).split(',').map((l) => l.trim()).filter(Boolean);
    rows.set(m[1] as string, { type: m[2] as string, labels });
  }
  return rows;
}

describe('docs/metrics.md', () => {
  it('lists exactly the metrics the exporter registers, with their types and labels', () => {
    const code = registered();
    const docs = documented();
    expect([...docs.keys()].sort()).toEqual([...code.keys()].sort());
    for (const [name, family] of code) expect(docs.get(name), name).toEqual(family);
  });
});
