/**
 * Turns schema issues into the lines a user reads: `targets[2].api_key: missing`,
 * `unknown key "pol" at top level (did you mean "poll"?)`. A value that came from the
 * environment is named by its variable, so the user knows where to fix it.
 */
import type { z } from 'zod';

export type PathKey = string | number | symbol;

/** One thing wrong, at a place in the file (for ordering) with the line the user reads. */
export interface Problem {
  path: readonly PathKey[];
  text: string;
}

/** Where a value came from, when not written literally in the file. */
export type Provenance = { kind: 'env'; variable: string } | { kind: 'interpolated'; variables: string[] };

/** `targets[2].api_key`, `tracing.headers["x-api-key"]`. */
export function formatPath(path: readonly PathKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(String(key))) out += out ? `.${String(key)}` : String(key);
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

export interface ProblemContext {
  provenance: ReadonlyMap<string, Provenance>;
  /** Keys allowed at an object path (for "did you mean"). */
  knownKeys(path: readonly PathKey[]): readonly string[];
}

export function formatIssues(issues: readonly z.core.$ZodIssue[], context: ProblemContext): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const where = issue.path.length === 0 ? 'at top level' : `in ${formatPath(issue.path)}`;
      for (const key of issue.keys) {
        const guess = closest(key, context.knownKeys(issue.path));
        const text = `unknown key ${JSON.stringify(key)} ${where}${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ''}`;
        problems.push({ path: [...issue.path, key], text });
      }
      continue;
    }
    problems.push({ path: issue.path, text: withSource(formatPath(issue.path), issue.message, context.provenance) });
  }
  return problems;
}

/**
 * Problems in the order of the reference table (schema order; list items by index; unknown keys
 * after the known ones of their mapping), so the output does not depend on validation order.
 */
export function sortProblems(problems: readonly Problem[], knownKeys: ProblemContext['knownKeys']): Problem[] {
  const rank = (path: readonly PathKey[]) =>
    path.map((key, depth) => {
      if (typeof key === 'number') return key;
      const index = knownKeys(path.slice(0, depth)).indexOf(String(key));
      return index < 0 ? Number.MAX_SAFE_INTEGER : index;
    });
  const ranked = problems.map((problem, order) => ({ problem, order, key: rank(problem.path) }));
  ranked.sort((a, b) => {
    for (let i = 0; i < Math.min(a.key.length, b.key.length); i++) {
      const diff = (a.key[i] as number) - (b.key[i] as number);
      if (diff !== 0) return diff;
    }
    return a.key.length - b.key.length || a.order - b.order;
  });
  return ranked.map((entry) => entry.problem);
}

/** `path: message`, or `VAR: message` / `path: message (from ${VAR})` for values from the environment. */
export function withSource(path: string, message: string, provenance: ReadonlyMap<string, Provenance>): string {
  const source = provenance.get(path);
  if (source?.kind === 'env') return `${source.variable}: ${message}`;
  const suffix = source ? ` (from ${source.variables.map((name) => `\${${name}}`).join(', ')})` : '';
  return path ? `${path}: ${message}${suffix}` : `${message}${suffix}`;
}

function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
