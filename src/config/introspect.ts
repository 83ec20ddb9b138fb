/**
 * Reads the config schema back as data (through zod's JSON Schema export): the keys allowed at
 * each level, and one row per key with its default and description, for docs and messages.
 */
import { z } from 'zod';
import type { PathKey } from './problems.js';
import { configFileSchema } from './schema.js';

interface JsonSchemaNode {
  description?: string;
  default?: unknown;
  type?: string;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  items?: JsonSchemaNode;
}

let cached: JsonSchemaNode | null = null;

/** The YAML file's JSON Schema (input side: what a user writes). */
export function configJsonSchema(): JsonSchemaNode {
  cached ??= z.toJSONSchema(configFileSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  return cached;
}

/** Keys allowed in the mapping at `path` (numbers step into list items). */
export function keysAt(path: readonly PathKey[]): string[] {
  let node: JsonSchemaNode | undefined = configJsonSchema();
  for (const key of path) node = typeof key === 'number' ? node?.items : node?.properties?.[String(key)];
  return Object.keys(node?.properties ?? {});
}

export interface FieldDoc {
  /** `poll.interval`, `targets[].api_key`. */
  key: string;
  /** As written in YAML (`15s`, `100`), or `required` / `not set`. */
  defaultText: string;
  description: string;
}

/** One row per leaf key, in schema order. */
export function listFields(): FieldDoc[] {
  const rows: FieldDoc[] = [];
  const walk = (node: JsonSchemaNode, prefix: string) => {
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      const key = prefix ? `${prefix}.${name}` : name;
      if (child.type === 'object' && child.properties) walk(child, key);
      else if (child.type === 'array' && child.items?.properties) walk(child.items, `${key}[]`);
      else rows.push({ key, defaultText: defaultText(child, node.required?.includes(name) ?? false), description: child.description ?? '' });
    }
  };
  walk(configJsonSchema(), '');
  return rows;
}

function defaultText(node: JsonSchemaNode, required: boolean): string {
  if (required) return 'required';
  if (node.default === undefined || node.default === null || node.default === '') return 'not set';
  return typeof node.default === 'string' ? node.default : JSON.stringify(node.default);
}
