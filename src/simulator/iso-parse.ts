/**
 * A permissive ISO 8601 parser modelled on python-dateutil's `isoparse`, which Dify uses for
 * `created_at__after` / `created_at__before`. Returns microseconds since the Unix epoch (UTC), or
 * null when dateutil would raise. Naive values are UTC (Dify stores naive UTC datetimes).
 *
 * Accepted: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `YYYYMMDD`; then optionally ONE separator character
 * (any, like dateutil: `T` or a space) and a time `hh`, `hh:mm`, `hh:mm:ss`, `hhmm`, `hhmmss`,
 * with an optional `.` or `,` fraction (first 6 digits kept); then `Z`/`z`, `±hh`, `±hhmm` or `±hh:mm`.
 * A `+` that arrived URL-decoded as a space (`10:00:00 02:00`) is rejected, as dateutil rejects it:
 * clients must percent-encode `+` as `%2B`. Week and ordinal dates are not supported.
 */
const DATE_RE = /^(\d{4})(?:(-)?(\d{2})(?:\2(\d{2}))?)?/;
const TIME_RE = /^(\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?/;
const TZ_RE = /^(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function isoParseMicros(text: string): number | null {
  const d = DATE_RE.exec(text);
  if (!d) return null;
  const year = Number(d[1]);
  // `YYYYMM` is ambiguous and rejected by dateutil; DATE_RE only matches `YYYY-MM` when a dash is present.
  if (d[3] !== undefined && d[2] === undefined && d[4] === undefined) return null;
  const month = d[3] === undefined ? 1 : Number(d[3]);
  const day = d[4] === undefined ? 1 : Number(d[4]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  let rest = text.slice(d[0].length);
  let hour = 0;
  let minute = 0;
  let second = 0;
  let micros = 0;
  let offsetMinutes = 0;
  if (rest.length > 0) {
    // dateutil accepts any single separator character; a date-only string cannot carry a timezone.
    rest = rest.slice(1);
    const t = TIME_RE.exec(rest);
    if (!t) return null;
    hour = Number(t[1]);
    minute = t[2] === undefined ? 0 : Number(t[2]);
    second = t[3] === undefined ? 0 : Number(t[3]);
    if (t[4] !== undefined) micros = Number(t[4].slice(0, 6).padEnd(6, '0'));
    if (minute > 59 || second > 59) return null;
    if (hour > 24 || (hour === 24 && (minute !== 0 || second !== 0 || micros !== 0))) return null;
    rest = rest.slice(t[0].length);
    if (rest.length > 0) {
      const z = TZ_RE.exec(rest);
      if (!z) return null;
      if (z[2] !== undefined) {
        const oh = Number(z[3]);
        const om = z[4] === undefined ? 0 : Number(z[4]);
        if (oh > 23 || om > 59) return null;
        offsetMinutes = (z[2] === '-' ? -1 : 1) * (oh * 60 + om);
      }
    }
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000;
  if (year < 100) {
    // Date.UTC maps years 0..99 to 1900..1999; fix that up.
    const fixed = new Date(ms);
    fixed.setUTCFullYear(year);
    return fixed.getTime() * 1000 + micros;
  }
  return ms * 1000 + micros;
}
