/**
 * Reads the config schema back as data: the keys allowed at each level (for "did you mean")
 * and one row per key with its default and description (for docs/configuration.md).
 * Walks zod's schema definitions (`_zod.def`, zod 4's public structure for tools).
 */
import type { z } from 'zod';
import type { PathKey } from './problems.js';
import { configFileSchema } from './schema.js';

type Node = z.core.$ZodType;
interface Def {
  type: string;
  in?: Node;
  innerType?: Node;
  element?: Node;
  shape?: Record<string, Node>;
  defaultValue?: unknown;
}

const defOf = (node: Node) => node._zod.def as unknown as Def;
const descriptionOf = (node: Node) => (node as { description?: string }).description;

/** Steps through wrappers (defaults, transforms) to the schema a user's value is checked against first. */
function unwrap(node: Node): Node {
  for (let depth = 0; depth < 10; depth++) {
    const def = defOf(node);
    const next = def.type === 'pipe' ? def.in : def.type === 'prefault' || def.type === 'default' || def.type === 'optional' ? def.innerType : undefined;
    if (!next) return node;
    node = next;
  }
  return node;
}

/** Keys allowed in the mapping at `path` (numbers step into list items). */
export function keysAt(path: readonly PathKey[]): string[] {
  let node: Node | undefined = unwrap(configFileSchema());
  for (const key of path) {
    const def: Def | undefined = node ? defOf(node) : undefined;
    const child: Node | undefined = typeof key === 'number' ? def?.element : def?.shape?.[String(key)];
    node = child ? unwrap(child) : undefined;
  }
  return Object.keys((node && defOf(node).shape) ?? {});
}

export interface FieldDoc {
  /** `poll.interval`, `targets`, `targets[].api_key`. */
  key: string;
  /** As written in YAML (`15s`, `100`, `false`), or `required` / `not set`. */
  defaultText: string;
  description: string;
}

/** One row per key that takes a value (lists included), in schema order. */
export function listFields(): FieldDoc[] {
  const rows: FieldDoc[] = [];
  const walk = (object: Node, prefix: string) => {
    for (const [name, field] of Object.entries(defOf(object).shape ?? {})) {
      const key = prefix ? `${prefix}.${name}` : name;
      const inner = unwrap(field);
      const innerDef = defOf(inner);
      if (innerDef.type === 'object') {
        walk(inner, key);
        continue;
      }
      rows.push({ key, defaultText: defaultText(defOf(field)), description: descriptionOf(field) ?? '' });
      if (innerDef.type === 'array' && innerDef.element && defOf(unwrap(innerDef.element)).type === 'object') {
        walk(unwrap(innerDef.element), `${key}[]`);
      }
    }
  };
  walk(unwrap(configFileSchema()), '');
  return rows;
}

function defaultText(def: Def): string {
  if (def.type !== 'prefault' && def.type !== 'default') return 'required';
  const value = def.defaultValue;
  if (value === null || value === '') return 'not set';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
