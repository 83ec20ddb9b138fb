/**
 * `npm run bench`: ingestion speed against the floor, /metrics cost, API efficiency and memory.
 * `--only <name>[,<name>]` runs some scenarios (catch-up, scrape, steady-state, memory);
 * `--strict` exits 1 when a target fails. Writes bench/results.json.
 * Profiling: BENCH_PROFILE=exporter (or scrape, floor, simulator) writes .cpuprofile files.
 * Catch-up ends with one more pair of passes, the exporter with tracing off (what spans cost);
 * BENCH_NO_SPANS=1 runs every exporter pass so. Then one pass each of the floor and the exporter
 * with and without spans against a simulator 40 ms away (BENCH_NO_LATENCY=1 leaves them out).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machine } from './lib/machine.js';
import { report } from './lib/report.js';
import { checkTargets, type Results } from './lib/targets.js';
import { runCatchUp } from './scenarios/catch-up.js';
import { runMemory } from './scenarios/memory.js';
import { runScrape } from './scenarios/scrape.js';
import { runSteadyState } from './scenarios/steady-state.js';

const SCENARIOS = ['catch-up', 'scrape', 'steady-state', 'memory'] as const;
type Scenario = (typeof SCENARIOS)[number];

class UsageError extends Error {}

function parseArgs(argv: string[]): { only: Set<Scenario>; strict: boolean } {
  const only = new Set<Scenario>();
  let strict = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--strict') strict = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const value = a === '--only' ? argv[++i] : a.slice('--only='.length);
      for (const name of (value ?? '').split(',')) {
        if (!(SCENARIOS as readonly string[]).includes(name)) throw new UsageError(`--only: unknown scenario "${name}" (one of ${SCENARIOS.join(', ')})`);
        only.add(name as Scenario);
      }
    } else throw new UsageError(`unknown argument "${a}" (use --only <${SCENARIOS.join('|')}> and --strict)`);
  }
  if (only.size === 0) for (const s of SCENARIOS) only.add(s);
  return { only, strict };
}

async function main(): Promise<void> {
  const { only, strict } = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const log = (line: string) => console.error(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);
  const results: Results = {};
  if (only.has('catch-up')) results.catchUp = await runCatchUp({ apps: 20, perApp: 10_000, passes: Number(process.env.BENCH_PASSES ?? 5) }, log);
  if (only.has('scrape')) results.scrape = await runScrape({ apps: 200, scrapes: 200, churn: 500 }, log);
  if (only.has('steady-state')) results.steadyState = await runSteadyState({ apps: 20, polls: 20, rates: [2, 200], pending: 100_000 }, log);
  if (only.has('memory')) results.memory = await runMemory({ apps: 20, perStage: 250_000, stages: 4 }, log);
  const checks = checkTargets(results);
  console.log(report(results, checks));
  // bench/results.json, whether this runs from bench/ (tsx) or from dist/bench/bench/ (compiled).
  const compiled = import.meta.url.endsWith('.js');
  const file = fileURLToPath(new URL(compiled ? '../../../bench/results.json' : 'results.json', import.meta.url));
  const out = { machine: machine(), seconds: Math.round((performance.now() - started) / 1000), results, checks };
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`\n${out.machine.nproc} CPUs (${out.machine.cpuModel}), Node ${out.machine.node}, ${out.seconds} s; written to ${file}`);
  if (strict && checks.some((c) => !c.pass)) process.exitCode = 1;
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`bench: ${err.message}`);
    process.exitCode = 2;
    return;
  }
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
