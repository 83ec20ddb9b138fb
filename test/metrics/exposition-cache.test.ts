import { describe, expect, it } from 'vitest';
import { Counter } from '../../src/metrics/exposition/counter.js';
import { Gauge } from '../../src/metrics/exposition/gauge.js';
import { Histogram } from '../../src/metrics/exposition/histogram.js';
import { MetricRegistry } from '../../src/metrics/exposition/registry.js';

// The exposition caches rendered text in blocks of series; these tests check that what a scraper
// gets is always what a fresh render of the same values gives, whatever changed in between.

interface Metrics {
  reg: MetricRegistry;
  runs: Counter;
  duration: Histogram;
  up: Gauge;
}

function metrics(): Metrics {
  const reg = new MetricRegistry();
  return {
    reg,
    runs: reg.register(new Counter({ name: 't_runs_total', help: 'Runs.', labelNames: ['app', 'status'] })),
    duration: reg.register(new Histogram({ name: 't_duration_seconds', help: 'Duration.', labelNames: ['app'], buckets: [1, 10] })),
    up: reg.register(new Gauge({ name: 't_up', help: 'Up.', labelNames: ['app'] })),
  };
}

type Op = (m: Metrics) => void;

/** Applies the same history to a long-lived registry (scraped after every step) and checks each scrape against a fresh one. */
async function replay(ops: Op[]): Promise<void> {
  const live = metrics();
  for (let i = 0; i < ops.length; i++) {
    (ops[i] as Op)(live);
    const fresh = metrics();
    for (const op of ops.slice(0, i + 1)) op(fresh);
    for (const format of ['prometheus', 'openmetrics'] as const) {
      expect(await live.reg.render(format)).toBe(await fresh.reg.render(format));
    }
  }
}

const apps = Array.from({ length: 40 }, (_, i) => `app-${i}`);
const ex = (n: number) => ({ labels: { trace_id: n.toString(16).padStart(32, '0') }, value: n, timestamp: 1_700_000_000 + n });

describe('exposition cache', () => {
  it('a scrape after any change equals a fresh render, across many series and removals', async () => {
    const ops: Op[] = [];
    for (const app of apps) ops.push((m) => m.runs.inc([app, 'succeeded']));
    for (let i = 0; i < 30; i++) {
      const app = apps[(i * 7) % apps.length] as string;
      ops.push((m) => {
        m.runs.inc([app, i % 3 === 0 ? 'failed' : 'succeeded'], 1, ex(i));
        m.duration.observe([app], i % 12, ex(i));
        m.up.set([app], i % 2);
      });
    }
    ops.push((m) => m.runs.removeWhere('app', 'app-7'));
    ops.push((m) => m.runs.inc(['app-7', 'succeeded'], 5));
    await replay(ops);
  });

  it('sends the same bytes as the text, for label values outside ASCII', async () => {
    const m = metrics();
    m.runs.inc(['café "Ünïcødé" ☕', 'succeeded'], 2, ex(1));
    m.duration.observe(['日本語'], 3);
    for (const format of ['prometheus', 'openmetrics'] as const) {
      const bytes = await m.reg.renderBytes(format);
      expect(bytes.equals(Buffer.from(await m.reg.render(format), 'utf8'))).toBe(true);
      expect(bytes.toString('utf8')).toContain('app="café \\"Ünïcødé\\" ☕"');
    }
  });

  it('a child updates the same series as labelled calls, also after the series was removed', async () => {
    const m = metrics();
    const child = m.runs.child(['a', 'succeeded']);
    child.inc(2);
    m.runs.inc(['a', 'succeeded']);
    expect(m.runs.value(['a', 'succeeded'])).toBe(3);
    m.runs.removeWhere('app', 'a');
    child.inc();
    expect(m.runs.value(['a', 'succeeded'])).toBe(1);
    expect(await m.reg.render('prometheus')).toContain('t_runs_total{app="a",status="succeeded"} 1\n');
    const gauge = m.up.child(['a']);
    gauge.set(4);
    expect(gauge.value()).toBe(4);
    m.duration.child(['a']).observe(20);
    expect(m.duration.snapshot(['a'])).toEqual({ count: 1, sum: 20, buckets: [0, 0, 1] });
  });
});
