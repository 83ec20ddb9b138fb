import { describe, expect, it } from 'vitest';
import { keywordMatcher, parseUuidLikePython, pythonJsonDumps, type KeywordTarget } from '../../src/simulator/keyword.js';

const target = (over: Partial<KeywordTarget> = {}): KeywordTarget => ({
  id: '3f2b8c1e-0d4a-4b6e-9c7f-1a2b3c4d5e6f',
  inputs: {},
  outputs: null,
  inputsText: null,
  outputsText: null,
  sessionId: null,
  createdByRole: 'end_user',
  ...over,
});

describe('Dify keyword filter', () => {
  it('stores inputs as Python json.dumps does', () => {
    expect(pythonJsonDumps({ a: 'x', b: [1, true, null], c: 'é' })).toBe('{"a": "x", "b": [1, true, null], "c": "\\u00e9"}');
  });

  it('parses UUIDs like Python uuid.UUID', () => {
    const id = '3f2b8c1e-0d4a-4b6e-9c7f-1a2b3c4d5e6f';
    expect(parseUuidLikePython(id.toUpperCase())).toBe(id);
    expect(parseUuidLikePython(`{${id}}`)).toBe(id);
    expect(parseUuidLikePython(`urn:uuid:${id}`)).toBe(id);
    expect(parseUuidLikePython(id.replaceAll('-', ''))).toBe(id);
    expect(parseUuidLikePython(id.slice(0, 35))).toBeNull();
  });

  it('matches non-ASCII keywords against the escaped stored text, not raw session ids', () => {
    expect(keywordMatcher('CAFé')(target({ inputs: { q: 'un café' } }))).toBe(true);
    // É escapes to \u00c9, é is stored as \u00e9: ILIKE does not fold escaped text.
    expect(keywordMatcher('CAFÉ')(target({ inputs: { q: 'un café' } }))).toBe(false);
    expect(keywordMatcher('café')(target({ sessionId: 'café-user' }))).toBe(false);
  });

  it('treats % and _ as LIKE wildcards', () => {
    expect(keywordMatcher('a_c')(target({ inputs: { q: 'abc' } }))).toBe(true);
    expect(keywordMatcher('a%d')(target({ inputs: { q: 'abcd' } }))).toBe(true);
    expect(keywordMatcher('a.c')(target({ inputs: { q: 'abc' } }))).toBe(false);
  });

  it('matches the session id only for end-user runs, and a full run id exactly', () => {
    expect(keywordMatcher('sess-9')(target({ sessionId: 'SESS-9' }))).toBe(true);
    expect(keywordMatcher('sess-9')(target({ sessionId: 'sess-9', createdByRole: 'account' }))).toBe(false);
    expect(keywordMatcher('3F2B8C1E-0D4A-4B6E-9C7F-1A2B3C4D5E6F')(target())).toBe(true);
    expect(keywordMatcher('3f2b8c1e-0d4a-4b6e-9c7f-1a2b3c4d5e60')(target())).toBe(false);
  });
});
