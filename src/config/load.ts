/**
 * The one way a configuration is loaded, for `run`, `check` and `validate` alike:
 * file (--config or DIFY_EXPORTER_CONFIG) or, without one, the DIFY_* environment;
 * then `${VAR}` interpolation, OTEL_* defaults, and the schema. The environment is passed in:
 * nothing below reads process.env.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { applyOtelEnv, configFromEnv, hasEnvOnlyConfig } from './env.js';
import { ConfigError } from './errors.js';
import { type Env, interpolateTree } from './interpolate.js';
import { keysAt } from './introspect.js';
import { formatIssues, formatPath, sortProblems, type Provenance } from './problems.js';
import { configFileSchema, type ExporterConfig } from './schema.js';
import { scrub, secretsInRaw } from './secrets.js';

export interface LoadOptions {
  /** From `--config FILE`; falls back to env DIFY_EXPORTER_CONFIG. */
  configPath?: string | null;
  env: Env;
}

/** The config file that will be read, or null for the environment-only mode. */
export function configFilePath({ configPath, env }: LoadOptions): string | null {
  const chosen = configPath ?? env.DIFY_EXPORTER_CONFIG;
  return chosen && chosen.trim() !== '' ? chosen : null;
}

/** Loads and validates; throws ConfigError listing every problem. */
export function loadConfig(options: LoadOptions): ExporterConfig {
  const path = configFilePath(options);
  if (path === null && !hasEnvOnlyConfig(options.env)) {
    throw new ConfigError(['no configuration: pass --config FILE, set DIFY_EXPORTER_CONFIG, or set DIFY_BASE_URL and DIFY_API_KEY'], null);
  }
  const source = path === null ? configFromEnv(options.env) : readConfigFile(path, options.env);
  const withOtel = applyOtelEnv(source.raw, options.env);
  const provenance = new Map<string, Provenance>([...source.provenance, ...withOtel.provenance]);
  const problems = [...source.problems, ...withOtel.problems];

  const parsed = configFileSchema().safeParse(withOtel.raw);
  if (parsed.success && problems.length === 0) return parsed.data;
  if (!parsed.success) {
    // A field already reported (unresolved ${VAR}, missing variable) would only repeat as "missing".
    const reported = new Set(problems.map((problem) => formatPath(problem.path)));
    const issues = parsed.error.issues.filter((issue) => !reported.has(formatPath(issue.path)));
    problems.push(...formatIssues(issues, { provenance, knownKeys: keysAt }));
  }
  const secrets = [...secretsInRaw(withOtel.raw), ...['DIFY_API_KEY'].flatMap((name) => options.env[name]?.trim() ?? [])];
  throw new ConfigError(
    sortProblems(problems, keysAt).map((problem) => scrub(problem.text, secrets)),
    path,
  );
}

function readConfigFile(path: string, env: Env) {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : String((error as Error).message);
    throw new ConfigError([`cannot read the config file: ${reason}`], path);
  }
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    // Only the first line of the parser's message: the rest quotes the file, which may hold a key.
    const lines = document.errors.map((error) => {
      const at = error.linePos?.[0];
      const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      return at ? `line ${at.line}, column ${at.col}: ${message}` : message;
    });
    throw new ConfigError(lines, path);
  }
  return interpolateTree(dropEmptySections(document.toJS()), env);
}

/** `poll:` with nothing under it means "all defaults", like leaving `poll` out. */
function dropEmptySections(tree: unknown): unknown {
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) return tree;
  return Object.fromEntries(Object.entries(tree).filter(([key, value]) => value !== null || key === 'targets'));
}
