/**
 * How much garbage the V8 heap may hold. V8 lets the old generation grow to up to four times what
 * survived the last full collection before collecting again; the exporter allocates fast (a page of
 * runs, its spans) but keeps little, so on a large machine its resident memory would settle at
 * several times its live data. A growing factor of 1.5 keeps it near the live data; lower factors
 * made /metrics renders at 60,000 series wait on full collections (docs/benchmarks.md).
 *
 * But V8 starts marking the old generation as soon as less than the young generation's size is
 * left below its limit (a scavenge may promote that much). A live heap of ~20 MB, as in a
 * catch-up, with 50 % above it left less than that: V8 marked almost without pause while the
 * catch-up promoted objects, 17 full collections per 200,000 runs and ~1 CPU second on other
 * threads. So once full collections follow each other within BURST_INTERVAL_MS, the room above
 * the live heap is at least the young generation plus MIN_SPARE_MB, until one comes BURST_END_MS
 * after the last; then it is 50 % again (a steady /metrics load keeps its resident memory: with
 * the larger room at all times it rose from 139 to 153 MB). The percent is worked out when Node
 * reports a full collection, just after it: V8 reads the flag when the next one sets its limit. A
 * --heap-growing-percent given on the command line wins.
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 50;
/** Room (MB) left above the live heap beyond the young generation's size, during a burst. */
export const MIN_SPARE_MB = 8;
/** Full collections closer together than this (start to start) start a burst... */
export const BURST_INTERVAL_MS = 1_000;
/**
 * ...and one this long after the last ends it: the larger room spaces collections out (~0.5 s
 * apart in a catch-up here), and a steady load's are further apart.
 */
export const BURST_END_MS = 2_000;
/** V8's own largest growing factor is 4. */
const MAX_GROWING_PERCENT = 300;
/** Percents are set in steps of this, so small changes of the live heap set nothing. */
const STEP_PERCENT = 10;
const MB = 1024 * 1024;

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

/**
 * The growing percent for an old generation of `liveBytes` after a full collection, with a young
 * generation of `youngBytes`: HEAP_GROWING_PERCENT, or during a burst more (in steps) when that
 * leaves less than the young generation plus MIN_SPARE_MB of room.
 */
export function growingPercentFor(liveBytes: number, youngBytes: number, burst: boolean): number {
  if (!burst) return HEAP_GROWING_PERCENT;
  const needed = (100 * (youngBytes + MIN_SPARE_MB * MB)) / Math.max(liveBytes, MB);
  const stepped = Math.ceil(needed / STEP_PERCENT) * STEP_PERCENT;
  return Math.min(MAX_GROWING_PERCENT, Math.max(HEAP_GROWING_PERCENT, stepped));
}

/** Old generation and young generation sizes (bytes) now. */
function heapSizes(): { old: number; young: number } {
  let old = 0;
  let young = 0;
  for (const space of getHeapSpaceStatistics()) {
    if (space.space_name === 'new_space') young = space.space_size;
    else if (space.space_name !== 'new_large_object_space') old += space.space_used_size;
  }
  return { old, young };
}

export interface HeapGrowth {
  /** The percent set last (null when the command line sets it). */
  readonly percent: number | null;
  stop(): void;
}

export interface HeapGrowthOptions {
  execArgv?: readonly string[];
  /** Tests: the heap's sizes, where the flag goes, and the full collections' start times (ms). */
  sizes?: () => { old: number; young: number };
  setFlags?: (flags: string) => void;
  onFullCollections?: (listener: (startMs: number) => void) => () => void;
}

/** Calls listener with the start time of every full collection from now on; returns a stop function. */
export function onFullCollections(listener: (startMs: number) => void): () => void {
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) listener(entry.startTime);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}

/**
 * Sets the heap growing percent now and after every full collection, until stopped; does nothing
 * when the command line gives one.
 */
export function limitHeapGrowth(o: HeapGrowthOptions = {}): HeapGrowth {
  if ((o.execArgv ?? process.execArgv).some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg))) return { percent: null, stop() {} };
  const sizes = o.sizes ?? heapSizes;
  const setFlags = o.setFlags ?? setFlagsFromString;
  let percent = -1;
  const update = (burst: boolean) => {
    const { old, young } = sizes();
    const next = growingPercentFor(old, young, burst);
    if (next === percent) return;
    percent = next;
    setFlags(`--heap-growing-percent=${percent}`);
  };
  update(false);
  let lastStart = Number.NEGATIVE_INFINITY;
  let burst = false;
  const stop = (o.onFullCollections ?? onFullCollections)((startMs) => {
    burst = startMs - lastStart < (burst ? BURST_END_MS : BURST_INTERVAL_MS);
    lastStart = startMs;
    update(burst);
  });
  return {
    get percent() {
      return percent;
    },
    stop,
  };
}
