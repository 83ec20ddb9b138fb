/**
 * When V8 optimizes a function: after it has run through `--interrupt-budget` bytes of bytecode a
 * few times. The exporter's heavy work comes in bursts (a catch-up reads a backlog in seconds)
 * through a lot of code (undici, the poller, the metrics, the span encoder, the OTLP transport),
 * and with Node 20's budget (66 KB) V8 optimizes most of it while the burst runs: about 1 CPU
 * second per 200,000-run catch-up on background threads, on the same cores as the work. With eight
 * times the budget only what stays hot is optimized: catch-up used ~17 % less CPU (4x: 10 %), and
 * /metrics renders and a million runs through were unchanged (docs/benchmarks.md). Set at start-up, as the
 * heap growth is (src/heap.ts); an --interrupt-budget given on the command line wins.
 */
import { setFlagsFromString } from 'node:v8';

/** Eight times Node 20's default. */
export const INTERRUPT_BUDGET = 8 * 66 * 1024;

/** Sets V8's interrupt budget unless the command line gave one; returns the flag set, or null. */
export function deferOptimization(execArgv: readonly string[] = process.execArgv): string | null {
  if (execArgv.some((arg) => /^--interrupt[-_]budget\b/.test(arg))) return null;
  const flag = `--interrupt-budget=${INTERRUPT_BUDGET}`;
  setFlagsFromString(flag);
  return flag;
}
