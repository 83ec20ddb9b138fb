/**
 * Every test/fixtures/config/bad-*.yaml starts with `# expect: <message>` lines: exactly the
 * problems a user must see, in order. Adding a case is adding a file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/config');
const ENV = { SUPPORT_BOT_KEY: 'app-support-bot-secret-0001', EMPTY_KEY: '' };
const files = readdirSync(FIXTURES).filter((name) => /^bad-.*\.yaml$/.test(name)).sort();

function expectedProblems(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('# expect: '))
    .map((line) => line.slice('# expect: '.length));
}

function problemsOf(path: string): ConfigError {
  try {
    loadConfig({ configPath: path, env: ENV });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`${path} was accepted`);
}

describe('bad config files', () => {
  it('has fixtures', () => {
    expect(files.length).toBeGreaterThan(15);
  });

  it.each(files)('%s', (file) => {
    const path = join(FIXTURES, file);
    const text = readFileSync(path, 'utf8');
    const expected = expectedProblems(text);
    expect(expected.length, `${file} needs "# expect: ..." lines`).toBeGreaterThan(0);

    const error = problemsOf(path);
    expect(error.problems).toEqual(expected);
    expect(error.source).toBe(path);

    // No API key (literal, or from the environment) is ever repeated in a message.
    const keys = [...text.matchAll(/app-[A-Za-z0-9-]{6,}/g)].map((m) => m[0]).concat(ENV.SUPPORT_BOT_KEY);
    for (const key of keys) expect(error.message).not.toContain(key);
  });
});
