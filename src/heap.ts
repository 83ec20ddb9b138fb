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

/**
 * Environment the Docker image sets for the exporter. glibc's malloc raises its mmap threshold
 * each time it frees a large block (up to 32 MB); after that, /metrics buffers of megabytes come
 * from its heap, and their memory stays resident once they are freed. A fixed threshold keeps
 * blocks of 1 MB and more in mappings of their own, given back to the system when freed: 10-15 MB
 * less resident after busy scraping at 63,000 series (docs/benchmarks.md). Ignored where the C
 * library is not glibc.
 */
export const SHIPPED_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '1048576' };

export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv): void {
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg))) return;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
