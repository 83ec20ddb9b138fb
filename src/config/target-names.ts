import type { TargetConfig } from './schema.js';

/**
 * Unnamed targets take their app's name from GET /v1/info. A name already taken (by a configured
 * name, or by another target) gets the target's position (`support-bot-3` for targets[2]). A
 * target keeps the name it had when its state was saved (`previous`, by position) as long as that
 * name still fits its app's name, so labels do not move between restarts whatever target answers
 * first. Used by `run` and `check` alike.
 */
export function createNameClaimer(
  targets: readonly TargetConfig[],
  previous: ReadonlyArray<string | undefined> = [],
): (wanted: string, index: number) => string {
  const claimed = new Set(targets.flatMap((t) => (t.name ? [t.name] : [])));
  const reserved = new Map<string, number>();
  targets.forEach((t, i) => {
    const p = previous[i];
    if (!t.name && p && !claimed.has(p)) reserved.set(p, i);
  });
  return (wanted, index) => {
    const p = previous[index];
    if (p && reserved.get(p) === index && (p === wanted || p === `${wanted}-${index + 1}`)) {
      claimed.add(p);
      return p;
    }
    const free = (n: string) => !claimed.has(n) && (reserved.get(n) ?? index) === index;
    const name = free(wanted) ? wanted : `${wanted}-${index + 1}`;
    claimed.add(name);
    return name;
  };
}
