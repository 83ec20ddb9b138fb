/**
 * How much garbage the V8 heap may hold. V8 lets the old generation grow to up to four times what
 * survived the last full collection before collecting again; the exporter allocates fast (a page of
 * runs, its spans) but keeps little, so on a large machine its resident memory would settle at
 * several times its live data. A growing factor of 1.5 keeps it near the live data at no measured
 * cost in CPU during catch-up; lower factors made /metrics renders at 60,000 series wait on full
 * collections (docs/benchmarks.md). The flag is read at each collection, so setting it at start-up
 * takes effect; a --heap-growing-percent given on the command line wins.
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 50;

export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv): void {
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg))) return;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
