/**
 * Which configured values are secrets: every target's api_key and every tracing header value.
 * The logger is told about them (registerSecret) so they never reach a log line, and config
 * messages are scrubbed of them.
 */
import type { ExporterConfig } from './schema.js';

export function secretsOf(config: ExporterConfig): string[] {
  return [...config.targets.map((target) => target.apiKey), ...Object.values(config.tracing.headers)].filter((value) => value.length > 0);
}

/** Secret-looking values in a raw (YAML-shaped, possibly invalid) tree: under `api_key` and `headers`. */
export function secretsInRaw(tree: unknown): string[] {
  const found: string[] = [];
  const collect = (node: unknown, underSecretKey: boolean) => {
    if (typeof node === 'string' || typeof node === 'number') {
      if (underSecretKey && String(node).trim().length > 0) found.push(String(node).trim());
    } else if (Array.isArray(node)) {
      for (const item of node) collect(item, underSecretKey);
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) collect(child, underSecretKey || key === 'api_key' || key === 'headers');
    }
  };
  collect(tree, false);
  return found;
}

/**
 * Shorter values are not searched for in free text: replacing "abc" everywhere would mangle
 * messages and logs. They are still redacted wherever they appear under a secret key.
 */
export const MIN_SECRET_LENGTH = 6;

/** Replaces every occurrence of each secret (of at least MIN_SECRET_LENGTH chars) in `text` with [REDACTED]. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= MIN_SECRET_LENGTH) out = out.split(secret).join('[REDACTED]');
  return out;
}
