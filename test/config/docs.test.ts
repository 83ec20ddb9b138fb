import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOC_PATH, renderConfigTable, withCurrentTable } from '../../src/config/docs.js';
import { listFields } from '../../src/config/introspect.js';

describe('docs/configuration.md', () => {
  it('holds the reference table generated from the schema (regenerate: npx tsx src/config/docs.ts)', () => {
    const doc = readFileSync(DOC_PATH, 'utf8');
    expect(doc).toBe(withCurrentTable(doc));
  });

  it('lists every key with a description, and the defaults users rely on', () => {
    const fields = listFields();
    expect(fields.filter((f) => f.description.trim() === '')).toEqual([]);
    const byKey = Object.fromEntries(fields.map((f) => [f.key, f.defaultText]));
    expect(byKey).toMatchObject({
      'server.listen': '0.0.0.0:9818',
      'poll.interval': '15s',
      'poll.initial_lookback': '0s',
      'state.path': './dify-exporter-state.json',
      'tracing.include_end_user': 'false',
      targets: 'required',
      'targets[].name': 'not set',
      'targets[].base_url': 'required',
      'targets[].api_key': 'required',
    });
    expect(renderConfigTable().split('\n')).toHaveLength(fields.length + 2);
  });
});
