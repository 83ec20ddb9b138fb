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

/** `{a="x",b="y"}` for the given names and values, or '' when there are none. */
export function formatLabels(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return '';
  let out = '{';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) out += ',';
    out += `${names[i]}="${escapeLabelValue(values[i] ?? '')}"`;
  }
  return out + '}';
}

/** An exemplar attached to a sample: rendered only in OpenMetrics. Not changed once recorded. */
export interface Exemplar {
  labels: Record<string, string>;
  value: number;
  /** Unix seconds. */
  timestamp: number;
}

export function formatExemplar(e: Exemplar | undefined): string {
  if (!e) return '';
  let labels = '';
  for (const k in e.labels) labels += `${labels === '' ? '' : ','}${k}="${escapeLabelValue(e.labels[k] as string)}"`;
  return ` # {${labels}} ${formatValue(e.value)} ${e.timestamp.toFixed(3)}`;
}
