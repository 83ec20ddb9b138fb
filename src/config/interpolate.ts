/**
 * `${VAR}` and `${VAR:-default}` in the string values of a parsed YAML tree (never in keys).
 * `$${` stays a literal `${`. An unset variable without a default is a problem naming the field
 * and the variable; `:-default` applies when the variable is unset or empty, as in a shell.
 */
import { formatPath, type PathKey, type Problem, type Provenance } from './problems.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface Interpolated {
  raw: unknown;
  problems: Problem[];
  /** Display path (`targets[0].api_key`) -> the variables used there. */
  provenance: Map<string, Provenance>;
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const NAME_AND_DEFAULT = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

export function interpolateTree(tree: unknown, env: Env): Interpolated {
  const result: Interpolated = { raw: undefined, problems: [], provenance: new Map() };
  const walk = (node: unknown, path: PathKey[]): unknown => {
    if (typeof node === 'string') return interpolateString(node, path, env, result);
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, walk(child, [...path, key])]));
    }
    return node;
  };
  result.raw = walk(tree, []);
  return result;
}

function interpolateString(text: string, path: PathKey[], env: Env, result: Interpolated): string {
  if (!text.includes('${')) return text;
  const where = formatPath(path);
  const used: string[] = [];
  const out = text.replace(REFERENCE, (match, inner: string | undefined) => {
    if (match === '$${') return '${';
    const parsed = inner === undefined ? null : NAME_AND_DEFAULT.exec(inner);
    if (!parsed) {
      // Do not echo the text: it may be a secret pasted in the wrong place.
      result.problems.push({ path, text: `${where}: malformed \${...} reference (use \${NAME} or \${NAME:-default})` });
      return '';
    }
    const name = parsed[1] as string;
    const fallback = parsed[2];
    used.push(name);
    const value = env[name];
    if (fallback !== undefined && (value === undefined || value === '')) return fallback;
    if (value === undefined) {
      result.problems.push({ path, text: `${where}: environment variable ${name} is not set` });
      return '';
    }
    return value;
  });
  if (used.length > 0) result.provenance.set(where, { kind: 'interpolated', variables: used });
  return out;
}
