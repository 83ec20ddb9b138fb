/**
 * Dify's `keyword` filter on the workflow log list, reproduced:
 * - only the first 30 characters are used, escaped with Python's `unicode_escape` (non-ASCII
 *   becomes `\uXXXX`), wrapped in `%...%` and matched with ILIKE, so `%` and `_` are wildcards;
 * - it is matched against the run's inputs and outputs as Dify stores them (Python `json.dumps`:
 *   `", "` and `": "` separators, non-ASCII escaped) and, for end-user runs, the session id;
 * - if the WHOLE keyword parses as a UUID (Python `uuid.UUID`), a run with that id also matches.
 */
export interface KeywordTarget {
  id: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | null;
  /** Cached lower-cased `pythonJsonDumps` of inputs/outputs; null until first needed (filled in here). */
  inputsText: string | null;
  outputsText: string | null;
  sessionId: string | null;
  createdByRole: string;
}

export type KeywordMatcher = (run: KeywordTarget) => boolean;

function escapeNonAscii(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    out += code < 0x80 ? s[i] : '\\u' + code.toString(16).padStart(4, '0');
  }
  return out;
}

/** Python's `json.dumps(value)` with default settings, for the text Dify stores and searches. */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return escapeNonAscii(JSON.stringify(value));
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'NaN';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return '[' + value.map(pythonJsonDumps).join(', ') + ']';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    parts.push(`${escapeNonAscii(JSON.stringify(k))}: ${pythonJsonDumps(v)}`);
  }
  return '{' + parts.join(', ') + '}';
}

/** Normalised UUID when `text` parses like Python's `uuid.UUID(text)`, else null. */
export function parseUuidLikePython(text: string): string | null {
  const hex = text.replaceAll('urn:', '').replaceAll('uuid:', '').replace(/^\{+|\}+$/g, '').replaceAll('-', '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return null;
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function likeToRegExp(pattern: string): RegExp {
  let src = '';
  for (const ch of pattern) {
    if (ch === '%') src += '[\\s\\S]*';
    else if (ch === '_') src += '[\\s\\S]';
    else src += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(src, 'i');
}

export function keywordMatcher(keyword: string): KeywordMatcher {
  const first30 = escapeNonAscii(Array.from(keyword).slice(0, 30).join('')).toLowerCase();
  const uuid = parseUuidLikePython(keyword);
  // Without LIKE wildcards a plain substring test does (much faster than a RegExp on every row).
  const re = /[%_]/.test(first30) ? likeToRegExp(first30) : null;
  const test = (text: string): boolean => (re === null ? text.includes(first30) : re.test(text));
  return (run) =>
    (uuid !== null && run.id === uuid) ||
    test((run.inputsText ??= pythonJsonDumps(run.inputs).toLowerCase())) ||
    test((run.outputsText ??= run.outputs === null ? '' : pythonJsonDumps(run.outputs).toLowerCase())) ||
    (run.createdByRole === 'end_user' && run.sessionId !== null && test(run.sessionId.toLowerCase()));
}
