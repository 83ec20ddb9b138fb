/**
 * One copy of each of the strings spans repeat run after run (workflow versions, error messages),
 * so that what a span keeps is a string already in the old generation, not the one its page was
 * parsed into. Bounded: strings of at most MAX_LENGTH characters, and past MAX_STRINGS distinct
 * ones it starts afresh.
 */
const MAX_STRINGS = 1_024;
/** Longer strings are kept as they are: rarely repeated, and too large to keep after their span. */
const MAX_LENGTH = 256;

export class StringInterner {
  private readonly known = new Map<string, string>();

  intern(s: string): string {
    if (s.length > MAX_LENGTH) return s;
    const known = this.known.get(s);
    if (known !== undefined) return known;
    if (this.known.size >= MAX_STRINGS) this.known.clear();
    this.known.set(s, s);
    return s;
  }
}
