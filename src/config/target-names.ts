import type { TargetConfig } from './schema.js';

/**
 * Unnamed targets take their app's name from GET /v1/info; a name already taken gets the target's
 * position (`support-bot-3` for targets[2]), so the name, and the state it keys, does not depend on
 * which target happened to answer first. Used by `run` and `check` alike.
 */
export function createNameClaimer(targets: readonly TargetConfig[]): (wanted: string, index: number) => string {
  const claimed = new Set(targets.flatMap((t) => (t.name ? [t.name] : [])));
  return (wanted, index) => {
    const name = claimed.has(wanted) ? `${wanted}-${index + 1}` : wanted;
    claimed.add(name);
    return name;
  };
}
