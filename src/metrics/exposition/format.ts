/** Text-format helpers shared by the Prometheus 0.0.4 and OpenMetrics 1.0 renderers. */

export type ExpositionFormat = 'prometheus' | 'openmetrics';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function assertMetricName(name: string): void {
  if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name "${name}"`);
}

export function assertLabelNames(names: readonly string[]): void {
  for (const n of names) {
    if (!LABEL_NAME.test(n) || n.startsWith('__')) throw new Error(`invalid label name "${n}"`);
  }
  if (new Set(names).size !== names.length) throw new Error(`duplicate label names in [${names.join(', ')}]`);
}

export function escapeLabelValue(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : value;
}

export function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Decimal digits of a non-negative integer (the length of String(n)). */
export function decimalDigits(n: number): number {
  let d = 1;
  for (let p = 10; n >= p; p *= 10) d++;
  return d;
}

/**
 * `{a="x",b="y"}` for the given names and values, or '' when there are none. Built with join(): a
 * flat string, where `+=` would leave a tree of pieces that every later copy of it walks again.
 */
export function formatLabels(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return '';
  const parts: string[] = ['{'];
  for (let i = 0; i < names.length; i++) {
    if (i > 0) parts.push(',');
    parts.push(names[i] as string, '="', escapeLabelValue(values[i] ?? ''), '"');
  }
  parts.push('}');
  return parts.join('');
}
