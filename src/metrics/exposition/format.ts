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

/**
 * A sample value: the digits String(v) gives, `NaN`, `+Inf` or `-Inf`. Made without String() where
 * it can: V8 keeps the strings of recent number-to-string conversions in a cache that outlives
 * young-generation collections, so every value a busy scrape formats that way is promoted to the
 * old generation and left there as garbage (megabytes per minute of scraping).
 */
export function formatValue(v: number): string {
  if (Number.isSafeInteger(v)) return v.toFixed(0);
  const a = Math.abs(v);
  // toPrecision writes these magnitudes without an exponent, as String does; others are rare.
  if (!(a >= 1e-6 && a < 1e15)) {
    if (Number.isNaN(v)) return 'NaN';
    if (v === Infinity) return '+Inf';
    if (v === -Infinity) return '-Inf';
    return String(v);
  }
  const digits = shortestDigits(a);
  return v < 0 ? `-${digits}` : digits;
}

/**
 * The shortest decimal that reads back as `a` (positive, 1e-6 <= a < 1e15), as String(a) writes it:
 * 15 significant digits always suffice to tell apart what they can; else 16 or 17. A tie between
 * two candidates goes to the even digit (toPrecision rounds it up).
 */
function shortestDigits(a: number): string {
  let s = a.toPrecision(15);
  if (Number(s) !== a) {
    let precision = 16;
    s = a.toPrecision(precision);
    if (Number(s) !== a) s = a.toPrecision(++precision);
    const last = s.charCodeAt(s.length - 1);
    if ((last & 1) === 1 && isMidpoint(a, precision)) s = `${s.slice(0, -1)}${String.fromCharCode(last - 1)}`;
  }
  if (!s.includes('.')) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

/** True when `a` lies exactly halfway between two numbers of `precision` significant digits. */
function isMidpoint(a: number, precision: number): boolean {
  // Twenty digits more than the tie: a double that is not exactly on it differs well before them.
  const d = a.toPrecision(precision + 21);
  let seen = 0;
  for (let i = 0; i < d.length; i++) {
    const c = d.charCodeAt(i);
    if (c === 46 || (seen === 0 && c === 48)) continue; // the point, leading zeros
    seen++;
    if (seen === precision + 1 ? c !== 53 : seen > precision + 1 && c !== 48) return false;
  }
  return true;
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
