/**
 * Field types for the config schema, each with the message a user sees when the value is wrong.
 * Values may arrive as text from `${VAR}` interpolation, so numbers and booleans accept their
 * text form too. Messages never repeat a value that could be secret (see schema.ts for which).
 */
import { z } from 'zod';
import { parseDuration } from './duration.js';

type Issue = { input?: unknown };

/** "missing" when the key is absent or empty in YAML, else "must be <what>". */
export const missingOr = (what: string) => (issue: Issue) =>
  issue.input === undefined || issue.input === null ? 'missing' : `must be ${what}`;

export function text() {
  return z.string({ error: missingOr('text') });
}

/** Text that may be left out, trimmed; "" and null both mean "not set". */
export function optionalText() {
  return z
    .union([z.string(), z.null()], { error: missingOr('text') })
    .transform((value) => (value === null || value.trim() === '' ? null : value.trim()));
}

/** A duration ("15s", "1m30s", seconds as a number) -> milliseconds, at least `minMs`. */
export function duration(minMs = 0) {
  return z.union([z.string(), z.number()], { error: missingOr('a duration such as 15s') }).transform((value, ctx) => {
    let ms: number;
    try {
      ms = parseDuration(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
    if (ms < minMs) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is shorter than the minimum ${minMs} ms` });
      return z.NEVER;
    }
    return ms;
  });
}

/** A whole number in [min, max]; "50" (from `${VAR}`) is accepted as 50. */
export function integer(min: number, max: number) {
  return z.union([z.number(), z.string()], { error: missingOr('a whole number') }).transform((value, ctx) => {
    const n = typeof value === 'number' ? value : /^\s*-?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isInteger(n)) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a whole number` });
      return z.NEVER;
    }
    if (n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `${n} is out of range ${min}..${max}` });
      return z.NEVER;
    }
    return n;
  });
}

/** A number greater than zero and at most `max`, fractions allowed ("0.5" accepted). */
export function positiveNumber(max: number) {
  return z.union([z.number(), z.string()], { error: missingOr('a number') }).transform((value, ctx) => {
    const n = typeof value === 'number' ? value : value.trim() === '' ? Number.NaN : Number(value);
    if (!Number.isFinite(n) || n <= 0 || n > max) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a number above 0 and at most ${max}` });
      return z.NEVER;
    }
    return n;
  });
}

export function boolean() {
  return z.union([z.boolean(), z.string()], { error: missingOr('true or false') }).transform((value, ctx) => {
    if (typeof value === 'boolean') return value;
    const lowered = value.trim().toLowerCase();
    if (lowered === 'true' || lowered === 'false') return lowered === 'true';
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not true or false` });
    return z.NEVER;
  });
}

/**
 * An http(s) URL without query or fragment; the trailing slash is dropped. With `mustEndWith`
 * ("/v1"), a bare origin gets it appended and any other path must end with it. Not echoed back.
 */
export function httpUrl(mustEndWith?: string) {
  return text().transform((value, ctx) => {
    const checked = checkHttpUrl(value, mustEndWith);
    if (checked.ok) return checked.url;
    ctx.addIssue({ code: 'custom', message: checked.message });
    return z.NEVER;
  });
}

/** Like httpUrl but optional: "" and null mean "off". */
export function optionalHttpUrl() {
  return z.union([z.string(), z.null()], { error: missingOr('an http(s) URL') }).transform((value, ctx) => {
    if (value === null || value.trim() === '') return null;
    const checked = checkHttpUrl(value);
    if (checked.ok) return checked.url;
    ctx.addIssue({ code: 'custom', message: checked.message });
    return z.NEVER;
  });
}

function checkHttpUrl(value: string, mustEndWith?: string): { ok: true; url: string } | { ok: false; message: string } {
  const trimmed = value.trim();
  let url: URL | null = null;
  try {
    url = new URL(trimmed);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return { ok: false, message: 'not an http(s) URL' };
  if (url.search || url.hash || url.username || url.password) {
    return { ok: false, message: 'must not contain a query, fragment or user:password@' };
  }
  let normalized = trimmed.replace(/\/+$/, '');
  // A bare origin means the service API at its usual place (as the Dify client reads it too).
  if (mustEndWith && url.pathname.replace(/\/+$/, '') === '') normalized += mustEndWith;
  if (mustEndWith && !normalized.endsWith(mustEndWith)) {
    return { ok: false, message: `must end with ${mustEndWith} (Dify's service API base, e.g. https://api.dify.ai/v1)` };
  }
  return { ok: true, url: normalized };
}

/** A mapping of text to text (HTTP headers); numbers are accepted as their text. */
export function stringMap() {
  return z.record(
    z.string(),
    z.union([z.string(), z.number()], { error: missingOr('text') }).transform((value) => String(value)),
    { error: missingOr('a mapping of name: value') },
  );
}
