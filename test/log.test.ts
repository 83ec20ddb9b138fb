/**
 * A planted API key must not reach any log line, whichever way it travels: under a known key,
 * inside an error message or stack, in a URL, in bindings, deep in an object, as a format argument.
 */
import { describe, expect, it } from 'vitest';
import type { ExporterConfig } from '../src/config/schema.js';
import { createLogger, registerSecret } from '../src/log.js';

const KEY = 'app-Pl4nted-Secret-Key-9f8e7d';
const QUOTED = 'tok"en\\with-escapes';

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'trace', destination: { write: (line: string) => void lines.push(line) } });
  return { lines, logger };
}

describe('logger redaction', () => {
  registerSecret(KEY);
  registerSecret(QUOTED);

  it('keeps every planted secret out of every line', () => {
    const { lines, logger } = capture();
    const config = { targets: [{ name: 'support-bot', baseUrl: 'https://api.dify.ai/v1', apiKey: KEY, serviceName: null }] } as Partial<ExporterConfig>;

    logger.info({ apiKey: KEY }, 'by key');
    logger.info({ api_key: KEY, target: { apiKey: KEY, api_key: KEY } }, 'nested keys');
    logger.info({ config }, 'whole config');
    logger.info({ headers: { authorization: `Bearer ${KEY}` }, request: { headers: { Authorization: `Bearer ${KEY}` } } }, 'headers');
    logger.error({ err: new Error(`request with ${KEY} failed`) }, 'error object');
    logger.error({ error: new TypeError(`bad key ${KEY}`, { cause: new Error(KEY) }) }, 'error under "error"');
    logger.warn(`GET https://dify.example/v1/info?key=${encodeURIComponent(KEY)} failed`);
    logger.warn('format %s and %o', KEY, { KEY });
    logger.child({ bound: KEY }).info('bindings');
    logger.debug({ deep: { a: { b: [{ c: `prefix-${KEY}-suffix` }] } } }, 'deep');
    logger.info({ note: `quoted ${QUOTED} inside` }, KEY);

    expect(lines).toHaveLength(11);
    for (const line of lines) {
      expect(() => JSON.parse(line)).not.toThrow();
      expect(line).not.toContain(KEY);
      expect(line).not.toContain(encodeURIComponent(KEY));
      expect(line).not.toContain(JSON.stringify(QUOTED).slice(1, -1));
    }
    // What surrounds a secret survives, so the line is still useful.
    expect(JSON.parse(lines[4] as string).err.message).toBe('request with [REDACTED] failed');
    expect(JSON.parse(lines[9] as string).deep.a.b[0].c).toBe('prefix-[REDACTED]-suffix');
  });

  it('writes JSON lines with a level label and the message', () => {
    const { lines, logger } = capture();
    logger.info({ app: 'support-bot' }, 'poll done');
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 'info', app: 'support-bot', msg: 'poll done' });
  });

  it('honours the level', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void lines.push(line) } });
    logger.info('hidden');
    logger.warn('shown');
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(['shown']);
  });
});
