/**
 * Reads the shipped dashboard and rules files the way Grafana and Prometheus see them, and lists
 * every PromQL expression in them, for the structural, promtool and end-to-end tests.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const dashboardPath = join(repoRoot, 'dashboards', 'dify-workflows.json');
export const rulesPath = join(repoRoot, 'dashboards', 'dify-exporter.rules.yaml');
export const rulesTestPath = join(repoRoot, 'test', 'fixtures', 'rules', 'dify-exporter.rules.test.yaml');
export const docsPath = join(repoRoot, 'docs', 'dashboards.md');

export interface DatasourceRef {
  type?: string;
  uid?: string;
}

export interface Target {
  refId?: string;
  expr?: string;
  datasource?: DatasourceRef;
  exemplar?: boolean;
}

export interface Panel {
  id?: number;
  type: string;
  title?: string;
  description?: string;
  datasource?: DatasourceRef;
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: Target[];
  panels?: Panel[];
}

export interface TemplateVariable {
  name: string;
  type: string;
  query?: string | { query?: string };
  datasource?: DatasourceRef;
}

export interface Dashboard {
  uid?: string;
  id?: number | null;
  __inputs?: unknown;
  panels: Panel[];
  templating: { list: TemplateVariable[] };
}

export function loadDashboard(): Dashboard {
  return JSON.parse(readFileSync(dashboardPath, 'utf8')) as Dashboard;
}

/** Every panel, rows' nested panels included (a collapsed row keeps its panels inside). */
export function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** Panels that show data: everything but rows. */
export function dataPanels(dashboard: Dashboard): Panel[] {
  return allPanels(dashboard).filter((p) => p.type !== 'row');
}

export interface NamedExpr {
  /** Where the expression lives, for test names and messages. */
  source: string;
  expr: string;
}

export function dashboardExprs(dashboard: Dashboard): NamedExpr[] {
  return dataPanels(dashboard).flatMap((p) =>
    (p.targets ?? []).map((t) => ({ source: `panel "${p.title}" ${t.refId ?? ''}`.trim(), expr: t.expr ?? '' })),
  );
}

export function variableQuery(v: TemplateVariable): string {
  return typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
}

/** `label_values(selector, label)` of the query variables, split for Prometheus' label API. */
export function labelValuesVariables(dashboard: Dashboard): Array<{ name: string; selector: string; label: string }> {
  return dashboard.templating.list
    .filter((v) => v.type === 'query')
    .map((v) => {
      const match = /^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(variableQuery(v).trim());
      if (!match) throw new Error(`variable ${v.name}: expected label_values(selector, label), got ${variableQuery(v)}`);
      return { name: v.name, selector: match[1] as string, label: match[2] as string };
    });
}

/** Replaces Grafana's variables (`$name`, `${name}`) with the given values; throws on one left over. */
export function fillVariables(expr: string, values: Record<string, string>): string {
  const filled = expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare) as string;
    const value = values[name];
    if (value === undefined) throw new Error(`no value for Grafana variable ${whole} in ${expr}`);
    return value;
  });
  return filled;
}

export interface Rule {
  group: string;
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function loadRules(path = rulesPath): Rule[] {
  const file = parse(readFileSync(path, 'utf8')) as { groups: Array<{ name: string; rules: Omit<Rule, 'group'>[] }> };
  return file.groups.flatMap((g) => g.rules.map((r) => ({ group: g.name, ...r })));
}

export function alertNames(rules: Rule[]): string[] {
  return rules.flatMap((r) => (r.alert ? [r.alert] : []));
}
