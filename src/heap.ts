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

/**
 * Node flags the exporter is shipped with (Docker image, `npm start`): they size the heap when the
 * process starts, so they cannot be set at run time as the growing factor is. A young generation
 * of 2 x 8 MB instead of V8's 2 x 16 MB: the exporter's short-lived objects (a page of runs, its
 * spans) die young either way, and after a million runs the peak RSS is ~20 MB lower at no
 * measured cost in throughput (docs/benchmarks.md).
 */
export const SHIPPED_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv): void {
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg))) return;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
