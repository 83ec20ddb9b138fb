/**
 * One copy of each of the strings spans repeat run after run (workflow versions, error messages),
 * so that what a span keeps is a string already in the old generation, not the one its page was
 * parsed into. Bounded: past MAX_STRINGS distinct strings it starts afresh.
 */
const MAX_STRINGS = 1_024;

export class StringInterner {
  private readonly known = new Map<string, string>();

  intern(s: string): string {
    const known = this.known.get(s);
    if (known !== undefined) return known;
    if (this.known.size >= MAX_STRINGS) this.known.clear();
    this.known.set(s, s);
    return s;
  }
}
