/**
 * The reference table of docs/configuration.md, generated from the schema. A test keeps the
 * file in step; `npx tsx src/config/docs.ts` rewrites the table in place.
 */
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { listFields } from './introspect.js';

export const TABLE_BEGIN = '<!-- config-table:begin (generated from src/config/schema.ts: npx tsx src/config/docs.ts) -->';
export const TABLE_END = '<!-- config-table:end -->';

export function renderConfigTable(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = listFields().map((f) => `| \`${f.key}\` | ${f.defaultText === 'required' || f.defaultText === 'not set' ? f.defaultText : `\`${cell(f.defaultText)}\``} | ${cell(f.description)} |`);
  return ['| key | default | description |', '| --- | --- | --- |', ...rows].join('\n');
}

/** `doc` with the text between the markers replaced by the current table. */
export function withCurrentTable(doc: string): string {
  const begin = doc.indexOf(TABLE_BEGIN);
  const end = doc.indexOf(TABLE_END);
  if (begin < 0 || end < begin) throw new Error(`the markers ${TABLE_BEGIN} ... ${TABLE_END} are missing`);
  return `${doc.slice(0, begin + TABLE_BEGIN.length)}\n${renderConfigTable()}\n${doc.slice(end)}`;
}

export const DOC_PATH = fileURLToPath(new URL('../../docs/configuration.md', import.meta.url));

const invoked = (() => {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
})();
if (invoked) writeFileSync(DOC_PATH, withCurrentTable(readFileSync(DOC_PATH, 'utf8')));
