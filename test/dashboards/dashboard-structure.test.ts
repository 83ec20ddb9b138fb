/**
 * The dashboard as Grafana imports it: no hard-coded data source, every panel explains itself
 * (unit, description) and has a query, ids unique, the filters apply everywhere they can.
 */
import { describe, expect, it } from 'vitest';
import { allPanels, dashboardExprs, dataPanels, loadDashboard, variableQuery } from './shipped-files.js';

const dashboard = loadDashboard();
const panels = dataPanels(dashboard);
const DS = '${datasource}';

/** Metrics from the exporter's fixed table (issue 2) that the dashboard must show. */
const SHOWN_METRICS = [
  'dify_workflow_runs_total',
  'dify_workflow_run_duration_seconds_bucket',
  'dify_workflow_run_tokens_bucket',
  'dify_workflow_tokens_total',
  'dify_workflow_run_steps_bucket',
  'dify_workflow_exceptions_total',
  'dify_workflow_runs_in_progress',
  'dify_workflow_last_finished_timestamp_seconds',
  'dify_exporter_target_up',
  'dify_exporter_target_info',
  'dify_exporter_poll_errors_total',
  'dify_exporter_last_successful_poll_timestamp_seconds',
  'dify_exporter_api_requests_total',
  'dify_exporter_build_info',
];

describe('dashboards/dify-workflows.json', () => {
  it('has a datasource variable of type datasource for Prometheus, and no __inputs', () => {
    const ds = dashboard.templating.list.find((v) => v.name === 'datasource');
    expect(ds?.type).toBe('datasource');
    expect(ds?.query).toBe('prometheus');
    expect(dashboard.__inputs).toBeUndefined();
    expect(dashboard.uid).toBe('dify-workflows');
    expect(dashboard.id ?? null).toBeNull();
  });

  it('uses the datasource variable in every panel, every target and every query variable', () => {
    const refs: Array<[string, unknown]> = [];
    for (const p of panels) {
      refs.push([`panel ${p.title}`, p.datasource?.uid]);
      for (const t of p.targets ?? []) refs.push([`panel ${p.title} target ${t.refId}`, t.datasource?.uid]);
    }
    for (const v of dashboard.templating.list.filter((x) => x.type === 'query')) {
      refs.push([`variable ${v.name}`, v.datasource?.uid]);
    }
    const wrong = refs.filter(([, uid]) => uid !== DS).map(([where, uid]) => `${where}: ${String(uid)}`);
    expect(wrong).toEqual([]);
  });

  it('has no data source uid other than the variable (the built-in annotation aside)', () => {
    const text = JSON.stringify(dashboard);
    const uids = [...text.matchAll(/"uid":"([^"]*)"/g)].map((m) => m[1]);
    const foreign = uids.filter((uid) => uid !== DS && uid !== '-- Grafana --' && uid !== dashboard.uid);
    expect(foreign).toEqual([]);
  });

  it('gives every panel a unit and a description', () => {
    const missing = panels
      .filter((p) => !p.fieldConfig?.defaults?.unit || !p.description || p.description.length < 20)
      .map((p) => p.title);
    expect(missing).toEqual([]);
  });

  it('has no panel without a query', () => {
    const empty = panels
      .filter((p) => (p.targets ?? []).length === 0 || (p.targets ?? []).some((t) => !t.expr?.trim()))
      .map((p) => p.title);
    expect(empty).toEqual([]);
  });

  it('has unique numeric panel ids and unique target refIds within a panel', () => {
    const ids = allPanels(dashboard).map((p) => p.id);
    expect(ids.every((id) => typeof id === 'number')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) {
      const refIds = (p.targets ?? []).map((t) => t.refId);
      expect(new Set(refIds).size, `refIds of ${p.title}`).toBe(refIds.length);
    }
  });

  it('lays panels out without overlap', () => {
    type Box = { title?: string; gridPos: { x: number; y: number; w: number; h: number } };
    const boxes = dashboard.panels as unknown as Box[];
    const clashes: string[] = [];
    boxes.forEach((a, i) =>
      boxes.slice(i + 1).forEach((b) => {
        const g = a.gridPos;
        const h = b.gridPos;
        if (g.x < h.x + h.w && h.x < g.x + g.w && g.y < h.y + h.h && h.y < g.y + g.h) clashes.push(`${a.title} / ${b.title}`);
      }),
    );
    expect(clashes).toEqual([]);
    expect(boxes.every((b) => b.gridPos.x + b.gridPos.w <= 24)).toBe(true);
  });

  it('has app, status and triggered_from variables from label_values, multi-select with All', () => {
    for (const name of ['app', 'status', 'triggered_from']) {
      const v = dashboard.templating.list.find((x) => x.name === name) as unknown as Record<string, unknown> | undefined;
      expect(v, name).toBeDefined();
      expect(v?.type).toBe('query');
      expect(variableQuery(v as never)).toMatch(new RegExp(`^label_values\\(dify_workflow_runs_total.*, ${name}\\)$`));
      expect(v?.multi).toBe(true);
      expect(v?.includeAll).toBe(true);
      expect(v?.allValue).toBe('.*');
    }
  });

  it('filters every app-labelled selector by $app, with a regex matcher (multi-select)', () => {
    const unfiltered: string[] = [];
    for (const { source, expr } of dashboardExprs(dashboard)) {
      for (const m of expr.matchAll(/(dify_\w+)(\{[^}]*\})?/g)) {
        if (m[1] === 'dify_exporter_build_info') continue;
        if (!m[2]?.includes('app=~"$app"')) unfiltered.push(`${source}: ${m[0]}`);
      }
      expect(expr, source).not.toMatch(/[a-z_]+="\$/); // `=` with a multi-value variable breaks on "All"
    }
    expect(unfiltered).toEqual([]);
  });

  it('uses $__rate_interval (or $__range for totals) for every range, never a fixed window', () => {
    const ranges = dashboardExprs(dashboard).flatMap(({ source, expr }) =>
      [...expr.matchAll(/\[([^\]]+)\]/g)].map((m) => ({ source, window: m[1] })),
    );
    expect(ranges.length).toBeGreaterThan(10);
    expect(ranges.filter((r) => r.window !== '$__rate_interval' && r.window !== '$__range')).toEqual([]);
  });

  it('turns exemplars on for the duration quantiles', () => {
    const durationQuantiles = panels
      .filter((p) => p.type === 'timeseries')
      .flatMap((p) => p.targets ?? [])
      .filter((t) => t.expr?.includes('histogram_quantile') && t.expr.includes('dify_workflow_run_duration_seconds_bucket'));
    expect(durationQuantiles.map((t) => t.expr?.slice(0, 22))).toEqual([
      'histogram_quantile(0.5',
      'histogram_quantile(0.9',
      'histogram_quantile(0.9',
    ]);
    expect(durationQuantiles.every((t) => t.exemplar === true)).toBe(true);
  });

  it('shows every metric of the exporter', () => {
    const all = dashboardExprs(dashboard).map((e) => e.expr).join('\n');
    expect(SHOWN_METRICS.filter((m) => !all.includes(m))).toEqual([]);
  });

  it('has the panels the issue asks for', () => {
    const titles = panels.map((p) => p.title);
    for (const title of [
      'Runs per minute by status',
      'Failure ratio by app',
      'Run duration p50 / p90 / p99',
      'Tokens per minute by app',
      'Tokens per run',
      'Steps per run',
      'Exceptions per minute by app',
      'Runs in progress',
      'Time since the last successful run',
      'Top apps by failures',
      'Top apps by tokens',
      'Target up',
      'Poll errors per minute by reason',
      'Seconds since the last successful poll',
    ]) {
      expect(titles, title).toContain(title);
    }
  });
});
