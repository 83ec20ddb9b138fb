/**
 * When V8 optimizes a function. In Node 20's V8 (11.x): after it has run through
 * `--interrupt-budget` bytes of bytecode a few times. The exporter's heavy work comes in bursts (a
 * catch-up reads a backlog in seconds) through a lot of code (undici, the poller, the metrics, the
 * span encoder, the OTLP transport), and with the default budget (66 KB) V8 optimizes most of it
 * while the burst runs: about 1 CPU second per 200,000-run catch-up on background threads, on the
 * same cores as the work. With eight times the budget only what stays hot is optimized: catch-up
 * used ~17 % less CPU (4x: 10 %), and /metrics renders and a million runs through were unchanged
 * (docs/benchmarks.md). Set at start-up, as the heap growth is (src/heap.ts); an --interrupt-budget
 * given on the command line wins.
 *
 * V8 12 and later (Node 22, 24) decide by call counts and have no such flag (V8 would print an
 * error for it and go on): there nothing is set.
 */
import { setFlagsFromString } from 'node:v8';

/** Eight times Node 20's default. */
export const INTERRUPT_BUDGET = 8 * 66 * 1024;

/** The last V8 major version with --interrupt-budget as the optimization trigger. */
const LAST_V8_WITH_BUDGET = 11;

/**
 * Sets V8's interrupt budget unless the command line gave one or this V8 has no such flag;
 * returns the flag set, or null.
 */
export function deferOptimization(execArgv: readonly string[] = process.execArgv, v8Version: string = process.versions.v8): string | null {
  if (Number.parseInt(v8Version, 10) > LAST_V8_WITH_BUDGET) return null;
  if (execArgv.some((arg) => /^--interrupt[-_]budget\b/.test(arg))) return null;
  const flag = `--interrupt-budget=${INTERRUPT_BUDGET}`;
  setFlagsFromString(flag);
  return flag;
}
