import { describe, expect, it } from 'vitest';
import { Counter } from '../../src/metrics/exposition/counter.js';
import { Gauge } from '../../src/metrics/exposition/gauge.js';
import { Histogram } from '../../src/metrics/exposition/histogram.js';
import { MetricRegistry } from '../../src/metrics/exposition/registry.js';
import { negotiateFormat } from '../../src/server/negotiate.js';

function scenario(): MetricRegistry {
  const reg = new MetricRegistry();
  const runs = reg.register(new Counter({ name: 'x_runs_total', help: 'Runs.', labelNames: ['app', 'status'] }));
  const dur = reg.register(new Histogram({ name: 'x_duration_seconds', help: 'Duration.', labelNames: ['app'], buckets: [1, 5] }));
  const up = reg.register(new Gauge({ name: 'x_up', help: 'Up.', labelNames: ['app'] }));
  const ex = { traceId: '0af7651916cd43dd8448eb211c80319c', value: 3, timestamp: 1700000000 };
  runs.inc(['a"b\\c\nd', 'failed'], 2, { ...ex, value: 1 });
  dur.observe(['a'], 0.5);
  dur.observe(['a'], 3, ex);
  dur.observe(['a'], 99);
  up.set(['a'], 1);
  return reg;
}

describe('exposition formats', () => {
  it('renders Prometheus text 0.0.4 without exemplars', async () => {
    expect(await scenario().render('prometheus')).toBe(
      [
        '# HELP x_runs_total Runs.',
        '# TYPE x_runs_total counter',
        'x_runs_total{app="a\\"b\\\\c\\nd",status="failed"} 2',
        '',
        '# HELP x_duration_seconds Duration.',
        '# TYPE x_duration_seconds histogram',
        'x_duration_seconds_bucket{app="a",le="1"} 1',
        'x_duration_seconds_bucket{app="a",le="5"} 2',
        'x_duration_seconds_bucket{app="a",le="+Inf"} 3',
        'x_duration_seconds_sum{app="a"} 102.5',
        'x_duration_seconds_count{app="a"} 3',
        '',
        '# HELP x_up Up.',
        '# TYPE x_up gauge',
        'x_up{app="a"} 1',
        '',
      ].join('\n'),
    );
  });

  it('renders OpenMetrics with exemplars, counter family names without _total, and # EOF', async () => {
    expect(await scenario().render('openmetrics')).toBe(
      [
        '# HELP x_runs Runs.',
        '# TYPE x_runs counter',
        'x_runs_total{app="a\\"b\\\\c\\nd",status="failed"} 2 # {trace_id="0af7651916cd43dd8448eb211c80319c"} 1 1700000000.000',
        '# HELP x_duration_seconds Duration.',
        '# TYPE x_duration_seconds histogram',
        'x_duration_seconds_bucket{app="a",le="1"} 1',
        'x_duration_seconds_bucket{app="a",le="5"} 2 # {trace_id="0af7651916cd43dd8448eb211c80319c"} 3 1700000000.000',
        'x_duration_seconds_bucket{app="a",le="+Inf"} 3',
        'x_duration_seconds_sum{app="a"} 102.5',
        'x_duration_seconds_count{app="a"} 3',
        '# HELP x_up Up.',
        '# TYPE x_up gauge',
        'x_up{app="a"} 1',
        '# EOF',
        '',
      ].join('\n'),
    );
  });

  it('keeps the last exemplar when a later one has no valid trace id, and still counts the observation', async () => {
    const reg = new MetricRegistry();
    const c = reg.register(new Counter({ name: 'z_total', help: 'Z.', labelNames: ['app'] }));
    const h = reg.register(new Histogram({ name: 'z_seconds', help: 'Z.', labelNames: ['app'], buckets: [1] }));
    const good = { traceId: 'ffffffff00000000abcdef0123456789', value: 1, timestamp: 1700000000.5 };
    c.inc(['a'], 1, good);
    h.observe(['a'], 0.5, { ...good, value: 0.5 });
    for (const traceId of ['0AF7651916CD43DD8448EB211C80319C', '0af7651916cd43dd8448eb211c80319', '11111111222222223333333344444g44', '']) {
      c.inc(['a'], 1, { traceId, value: 1, timestamp: 1 });
      h.observe(['a'], 0.25, { traceId, value: 0.25, timestamp: 1 });
    }
    c.inc(['b'], 1, good); // the same id again, after one that was read in part
    const text = await reg.render('openmetrics');
    expect(text).toContain('z_total{app="a"} 5 # {trace_id="ffffffff00000000abcdef0123456789"} 1 1700000000.500\n');
    expect(text).toContain('z_total{app="b"} 1 # {trace_id="ffffffff00000000abcdef0123456789"} 1 1700000000.500\n');
    expect(text).toContain('z_seconds_bucket{app="a",le="1"} 5 # {trace_id="ffffffff00000000abcdef0123456789"} 0.5 1700000000.500\n');
  });

  it('takes a trace id given as four words as the same id in hex', async () => {
    const reg = new MetricRegistry();
    const c = reg.register(new Counter({ name: 'w_total', help: 'W.', labelNames: ['app'] }));
    const words = Uint32Array.of(0xffffffff, 0, 0xabcdef01, 0x23456789);
    c.inc(['a'], 1, { traceId: words, value: 1, timestamp: 1700000000.5 });
    words.fill(7); // copied when recorded
    expect(await reg.render('openmetrics')).toContain('w_total{app="a"} 1 # {trace_id="ffffffff00000000abcdef0123456789"} 1 1700000000.500\n');
  });

  it('re-renders a series after it changes (the per-series cache is invalidated)', async () => {
    const reg = new MetricRegistry();
    const c = reg.register(new Counter({ name: 'y_total', help: 'Y.', labelNames: ['app'] }));
    c.inc(['a']);
    expect(await reg.render('prometheus')).toContain('y_total{app="a"} 1\n');
    c.inc(['a'], 2);
    expect(await reg.render('prometheus')).toContain('y_total{app="a"} 3\n');
    expect(await reg.render('openmetrics')).toContain('y_total{app="a"} 3\n');
  });

  it('finds, renders and removes series alike however their keys are packed: many values of one label, many labels', async () => {
    const reg = new MetricRegistry();
    const many = reg.register(new Counter({ name: 'm_total', help: 'M.', labelNames: ['kind', 'id'] }));
    // Thirteen labels take the 52 bits a key has from the start: a seventeenth value of one is keyed by a string.
    const names = Array.from({ length: 13 }, (_, i) => `l${i}`);
    const wide = reg.register(new Counter({ name: 'w_total', help: 'W.', labelNames: names }));
    const wideValues = (first: string) => [first, ...names.slice(1).map(() => 'v')];
    for (let i = 0; i < 9000; i++) many.inc([i % 2 === 0 ? 'even' : 'odd', `id-${i}`], i); // keys packed again as ids outgrow their bits
    many.inc(['odd', 'id-8191'], 1);
    for (let i = 0; i < 20; i++) wide.inc(wideValues(`w${i}`), i + 1);
    wide.inc(wideValues('w3'), 100);
    wide.inc(wideValues('w19'), 100);
    // Values holding what a joined key would separate with do not share a series.
    const fourteen = reg.register(new Counter({ name: 'f_total', help: 'F.', labelNames: [...names, 'l13'] }));
    fourteen.inc(['x\u0001y', 'z', ...Array<string>(12).fill('v')], 2);
    fourteen.inc(['x', 'y\u0001z', ...Array<string>(12).fill('v')], 3);
    expect([many.value(['odd', 'id-8191']), many.value(['even', 'id-8998']), many.seriesCount()]).toEqual([8192, 8998, 9000]);
    expect([wide.value(wideValues('w3')), wide.value(wideValues('w19')), wide.seriesCount()]).toEqual([104, 120, 20]);
    expect([fourteen.value(['x\u0001y', 'z', ...Array<string>(12).fill('v')]), fourteen.value(['x', 'y\u0001z', ...Array<string>(12).fill('v')])]).toEqual([2, 3]);
    many.removeWhere('id', 'id-8500');
    many.removeWhere('id', 'id-100');
    wide.removeWhere('l0', 'w2'); // a packed key
    wide.removeWhere('l0', 'w18'); // a string key
    const text = await reg.render('prometheus');
    const manyLines = text.split('\n').filter((l) => l.startsWith('m_total{'));
    expect(manyLines.length).toBe(8998);
    // Every series kept its own labels through the re-packing: its value is its id (8191 had one more).
    const wrong = manyLines.filter((l) => {
      const m = /^m_total\{kind="(even|odd)",id="id-(\d+)"\} (\d+)$/.exec(l);
      const id = Number(m?.[2]);
      return m === null || m[1] !== (id % 2 === 0 ? 'even' : 'odd') || Number(m[3]) !== id + (id === 8191 ? 1 : 0);
    });
    expect(wrong).toEqual([]);
    expect(text).toContain('m_total{kind="odd",id="id-8999"} 8999\n');
    expect(text).not.toMatch(/id="id-(8500|100)"/);
    expect(text.split('\n').filter((l) => l.startsWith('w_total{')).length).toBe(18);
    expect(text).toContain(`w_total{l0="w19",${names.slice(1).map((n) => `${n}="v"`).join(',')}} 120\n`);
    expect(text).not.toMatch(/l0="w(2|18)"/);
  });

  it('rejects bad definitions when the metric is made, not at scrape time', () => {
    expect(() => new Counter({ name: 'no_suffix', help: 'h' })).toThrow(/_total/);
    expect(() => new Gauge({ name: 'bad-name', help: 'h' })).toThrow(/invalid metric name/);
    expect(() => new Gauge({ name: 'g', help: 'h', labelNames: ['__x'] })).toThrow(/invalid label name/);
    expect(() => new Histogram({ name: 'h', help: 'h', buckets: [2, 1] })).toThrow(/increasing/);
    const c = new Counter({ name: 'c_total', help: 'h', labelNames: ['a'] });
    expect(() => c.inc(['x'], -1)).toThrow(/only go up/);
    expect(() => c.inc([])).toThrow(/label values/);
  });

  it('negotiates OpenMetrics only when the scraper asks for it', () => {
    const prometheusDefault =
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
    expect(negotiateFormat(prometheusDefault)).toBe('openmetrics');
    expect(negotiateFormat('text/plain;version=0.0.4')).toBe('prometheus');
    expect(negotiateFormat(undefined)).toBe('prometheus');
    expect(negotiateFormat('application/openmetrics-text;q=0')).toBe('prometheus');
  });
});
