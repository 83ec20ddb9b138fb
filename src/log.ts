/**
 * The JSON logger. Secrets are kept out of every line twice over: by key path (pino `redact`:
 * apiKey, authorization, ...) and by value: each registered secret (API keys, tracing headers)
 * is replaced with [REDACTED] in the final text of every line, so a key that leaks into an
 * error message, a URL or a nested object is caught too.
 */
import pino, { type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { MIN_SECRET_LENGTH } from './config/secrets.js';

export type { Logger } from 'pino';

export const CENSOR = '[REDACTED]';

/** Key paths whose values are never logged. */
export const REDACT_PATHS = [
  'apiKey',
  'api_key',
  '*.apiKey',
  '*.api_key',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'config.targets[*].apiKey',
  'targets[*].apiKey',
  'config.tracing.headers',
  'tracing.headers',
];

const secrets = new Set<string>();
let secretPattern: RegExp | null = null;

/** From now on, `value` (and its JSON-escaped and URL-encoded forms) never appears in a log line. */
export function registerSecret(value: string | null | undefined): void {
  if (!value || value.length < MIN_SECRET_LENGTH) return;
  const before = secrets.size;
  for (const form of [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]) secrets.add(form);
  if (secrets.size === before) return;
  const alternatives = [...secrets].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  secretPattern = new RegExp(alternatives.join('|'), 'g');
}

/** Replaces every registered secret in `text`. */
export function redactSecrets(text: string): string {
  return secretPattern ? text.replace(secretPattern, CENSOR) : text;
}

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Where lines go; stdout (synchronously, so nothing is lost on exit) by default. */
  destination?: DestinationStream;
}

export function createLogger({ level = 'info', destination }: LoggerOptions = {}): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      hooks: { streamWrite: redactSecrets },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
