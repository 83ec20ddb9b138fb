/**
 * The rules file as Prometheus loads it: `promtool check rules`, `promtool test rules` on the unit
 * tests in test/fixtures/rules, and checks that those unit tests cover every alert both ways and
 * that every alert points at a runbook section that exists.
 * Without promtool: skipped locally, failed in CI (CI installs the Debian package prometheus).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findPrometheusTool, requireTool } from '../helpers/prometheus.js';
import { alertNames, docsPath, loadRules, rulesPath, rulesTestPath } from './shipped-files.js';

const run = promisify(execFile);
const promtool = findPrometheusTool('promtool');
if (promtool.skip) console.warn(`skipping promtool rule checks: ${promtool.reason}`);

const rules = loadRules();
const alerts = alertNames(rules);

describe.skipIf(promtool.skip)('promtool on dashboards/dify-exporter.rules.yaml', () => {
  it('passes promtool check rules', async () => {
    const { stdout } = await run(requireTool(promtool), ['check', 'rules', rulesPath]);
    expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('passes its promtool unit tests', async () => {
    const result = await run(requireTool(promtool), ['test', 'rules', rulesTestPath]).catch(
      (err: { stdout?: string; stderr?: string }) => {
        throw new Error(`promtool test rules failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
      },
    );
    expect(result.stdout).toContain('SUCCESS');
  });
});

interface AlertCase {
  alertname: string;
  exp_alerts: unknown[];
}

describe('rule unit tests cover every alert', () => {
  const unitTests = parse(readFileSync(rulesTestPath, 'utf8')) as {
    tests: Array<{ name: string; alert_rule_test?: AlertCase[] }>;
  };
  const cases = unitTests.tests.flatMap((t) => t.alert_rule_test ?? []);

  it('has a case where each alert fires and one where it stays silent', () => {
    expect(alerts.length).toBe(7);
    const missing = alerts.flatMap((name) => {
      const mine = cases.filter((c) => c.alertname === name);
      return [
        ...(mine.some((c) => c.exp_alerts.length > 0) ? [] : [`${name}: no firing case`]),
        ...(mine.some((c) => c.exp_alerts.length === 0) ? [] : [`${name}: no silent case`]),
      ];
    });
    expect(missing).toEqual([]);
  });

  it('has a healthy-app test in which no alert fires', () => {
    const healthy = unitTests.tests.find((t) => /healthy/.test(t.name));
    const silent = new Set((healthy?.alert_rule_test ?? []).filter((c) => c.exp_alerts.length === 0).map((c) => c.alertname));
    expect(alerts.filter((a) => !silent.has(a))).toEqual([]);
  });

  it('has a low-traffic test for each burn-rate alert', () => {
    const low = unitTests.tests.find((t) => /low traffic/.test(t.name));
    const names = new Set((low?.alert_rule_test ?? []).map((c) => c.alertname));
    for (const a of alerts.filter((x) => /Burn/.test(x))) expect(names, a).toContain(a);
  });
});

describe('alert annotations', () => {
  const docs = readFileSync(docsPath, 'utf8');
  const headings = new Set(
    [...docs.matchAll(/^#{2,4} (.+)$/gm)].map((m) => (m[1] as string).trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')),
  );

  it.each(rules.filter((r) => r.alert))('$alert has summary, description, severity and a runbook that exists', (rule) => {
    expect(rule.annotations?.summary).toBeTruthy();
    expect(rule.annotations?.description).toBeTruthy();
    expect(['critical', 'warning']).toContain(rule.labels?.severity);
    const runbook = rule.annotations?.runbook_url ?? '';
    expect(runbook).toBe(`docs/dashboards.md#${(rule.alert as string).toLowerCase()}`);
    expect(headings).toContain(runbook.split('#')[1]);
  });
});
