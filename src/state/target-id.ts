import { createHash } from 'node:crypto';

/**
 * The key a target's state is saved under: the same Dify server and app key give the same id,
 * whatever the target is named (names come from config or from Dify and may change). A hash, so
 * the state file never holds the key itself.
 */
export function targetStateId(normalisedBaseUrl: string, apiKey: string): string {
  return createHash('sha256').update(`${normalisedBaseUrl}\n${apiKey}`).digest('hex').slice(0, 24);
}
