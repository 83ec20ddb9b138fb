#!/usr/bin/env node
/**
 * The `dify-exporter` command: argv -> command. `run` (default), `check`, `validate`, --help,
 * --version. Every command loads the configuration the same way (config/load.ts).
 * Exit codes: 0 ok, 1 check or runtime failure, 2 bad configuration or usage.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError } from './config/errors.js';
import type { Env } from './config/interpolate.js';
import { configFilePath, loadConfig } from './config/load.js';
import type { ExporterConfig } from './config/schema.js';
import { secretsOf } from './config/secrets.js';
import { limitHeapGrowth } from './heap.js';
import { deferOptimization } from './optimization-budget.js';
import { createLogger, redactSecrets, registerSecret, type Logger } from './log.js';
import { VERSION } from './version.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_CONFIG = 2;

export const USAGE = `Usage: dify-exporter [run|check|validate] [--config FILE]

Prometheus metrics and OpenTelemetry spans for Dify workflow runs.

Commands:
  run        poll the configured Dify apps and serve /metrics (the default)
  check      validate the configuration, then call GET /v1/ and GET /v1/info for
             every target and print one line per target
  validate   validate the configuration only (no network)

Options:
  -c, --config FILE   YAML configuration (default: $DIFY_EXPORTER_CONFIG)
  -h, --help          show this help
  -v, --version       print the version

Without a file, one app is configured from the environment:
  DIFY_BASE_URL=https://api.dify.ai/v1 DIFY_API_KEY=app-... [DIFY_APP_NAME=...] dify-exporter

Exit codes: 0 ok, 1 check or runtime failure, 2 bad configuration or usage.
Configuration reference: docs/configuration.md
`;

export interface CliIo {
  env: Env;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const COMMANDS = new Set(['run', 'check', 'validate', 'help']);

/** Runs one command and resolves with the exit code (for `run`: after a signal stopped it). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    io.stderr(`dify-exporter: ${(error as Error).message}\n\n${USAGE}`);
    return EXIT_BAD_CONFIG;
  }
  const { values, positionals } = parsed;
  const command = positionals[0] ?? 'run';
  if (values.help || command === 'help') {
    io.stdout(USAGE);
    return EXIT_OK;
  }
  if (values.version) {
    io.stdout(`${VERSION}\n`);
    return EXIT_OK;
  }
  if (!COMMANDS.has(command) || positionals.length > 1) {
    const what = COMMANDS.has(command) ? `unexpected argument "${positionals[1]}"` : `unknown command "${command}"`;
    io.stderr(`dify-exporter: ${what}\n\n${USAGE}`);
    return EXIT_BAD_CONFIG;
  }

  const options = { configPath: values.config ?? null, env: io.env };
  let config: ExporterConfig;
  try {
    config = loadConfig(options);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const prefix = error.source ?? 'dify-exporter';
    io.stderr(error.problems.map((problem) => `${prefix}: ${problem}\n`).join(''));
    return EXIT_BAD_CONFIG;
  }

  if (command === 'validate') {
    io.stdout(`${configFilePath(options) ?? 'environment'}: OK\n${targetLines(config)}`);
    return EXIT_OK;
  }
  if (command === 'check') {
    const { checkTargets } = await import('./check.js');
    const report = await checkTargets(config);
    io.stdout(report.targets.map((target) => `${target.line}\n`).join(''));
    return report.ok ? EXIT_OK : EXIT_FAILURE;
  }
  return runExporter(config, io);
}

function targetLines(config: ExporterConfig): string {
  return config.targets.map((t) => `  ${t.name ?? '(name from /v1/info)'}  ${t.baseUrl}\n`).join('');
}

/** Starts the exporter; the first SIGTERM/SIGINT stops it (exit 0), a second one exits at once. */
async function runExporter(config: ExporterConfig, io: CliIo): Promise<number> {
  for (const secret of secretsOf(config)) registerSecret(secret);
  const logger = createLogger({ level: config.log.level });
  exitOnCrash(logger);
  // For the process's life: the heap's growth follows its live size (src/heap.ts).
  const heapGrowth = limitHeapGrowth();
  deferOptimization();
  try {
    return await serve(config, io, logger);
  } finally {
    heapGrowth.stop();
  }
}

/** Creates and starts the exporter, then serves until the first SIGTERM/SIGINT has stopped it. */
async function serve(config: ExporterConfig, io: CliIo, logger: Logger): Promise<number> {
  const { createExporter } = await import('./main.js');
  const exporter = await createExporter(config, { logger, env: io.env as NodeJS.ProcessEnv });
  try {
    await exporter.start();
  } catch (error) {
    logger.fatal({ err: error }, 'dify-exporter could not start');
    await exporter.stop().catch(() => undefined);
    return EXIT_FAILURE;
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting without finishing the shutdown');
        process.exit(EXIT_FAILURE);
      }
      stopping = true;
      logger.info({ signal }, 'stopping');
      exporter.stop().then(
        () => resolve(EXIT_OK),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          resolve(EXIT_FAILURE);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

/** A crash is logged through the redacting logger (never a raw stack with a key in it), then exits. */
function exitOnCrash(logger: Logger): void {
  const crash = (error: unknown) => {
    logger.fatal({ err: error }, 'dify-exporter crashed');
    process.exit(EXIT_FAILURE);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}

function invokedAsScript(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (invokedAsScript()) {
  const io: CliIo = {
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(redactSecrets(text)),
  };
  runCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
      // Exit even if a keep-alive socket or timer lingers; pending stdout/stderr writes go first.
      setTimeout(() => process.exit(code), 1_000).unref();
    },
    (error: unknown) => {
      process.stderr.write(redactSecrets(`dify-exporter: ${error instanceof Error ? error.message : String(error)}\n`));
      process.exit(EXIT_FAILURE);
    },
  );
}
