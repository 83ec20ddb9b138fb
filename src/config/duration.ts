/**
 * Durations as people write them in YAML ("15s", "1m30s", "2h", "500ms", "0s") or as a plain
 * number of seconds (15, "15", 0.5), turned into whole milliseconds.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
const PLAIN_SECONDS = /^\d+(?:\.\d+)?$/;

export const DURATION_HINT = 'use e.g. 500ms, 15s, 1m30s, 2h or a number of seconds';

export class DurationError extends Error {
  override name = 'DurationError';
}

/** Parses a duration; throws DurationError naming the bad input. */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new DurationError(`${input} is not a duration (${DURATION_HINT})`);
    return Math.round(input * 1000);
  }
  const text = input.trim();
  if (PLAIN_SECONDS.test(text)) return Math.round(Number(text) * 1000);
  let total = 0;
  let at = 0;
  PART.lastIndex = 0;
  while (at < text.length) {
    PART.lastIndex = at;
    const match = PART.exec(text);
    if (!match) break;
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
    at = PART.lastIndex;
  }
  if (text.length === 0 || at !== text.length) {
    throw new DurationError(`${JSON.stringify(input)} is not a duration (${DURATION_HINT})`);
  }
  return Math.round(total);
}

/** The shortest readable form of a whole number of milliseconds: 90000 -> "1m30s", 500 -> "500ms". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1_000], ['ms', 1]] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) out += `${count}${unit}`;
    rest -= count * size;
  }
  return out;
}
