/** Memory and CPU of the current process, as the benchmark reports them. */
import { readdirSync, readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

export interface MemoryStats {
  /** Resident set size now, MB. */
  rssMb: number;
  /** Peak resident set size of this process so far (VmHWM), MB. */
  peakRssMb: number;
  heapUsedMb: number;
  /** V8 heap committed (used or not), MB. */
  heapTotalMb: number;
  /** Memory of Buffers and other objects outside the V8 heap, MB. */
  externalMb: number;
}

const MB = 1024 * 1024;

function vmHwmBytes(): number {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // Not Linux: fall back to the current RSS.
  }
  return process.memoryUsage.rss();
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

export function memoryStats(): MemoryStats {
  const m = process.memoryUsage();
  return {
    rssMb: round1(m.rss / MB),
    peakRssMb: round1(vmHwmBytes() / MB),
    heapUsedMb: round1(m.heapUsed / MB),
    heapTotalMb: round1(m.heapTotal / MB),
    externalMb: round1(m.external / MB),
  };
}

/** Runs a full GC when node was started with --expose-gc (the memory scenario is). */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
}

/** CPU seconds (user + system) since `since`. */
export function cpuSecondsSince(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

export interface MemorySample {
  /** V8 heap spaces at that moment: used / committed MB (spaces above 1 MB committed). */
  heapSpaces?: Record<string, string>;
  rssMb: number;
  heapTotalMb: number;
  heapUsedMb: number;
  externalMb: number;
}

/** Samples memory every `everyMs` until stopped; returns the sample with the highest RSS. */
export function sampleMemory(everyMs = 20): { stop(): MemorySample } {
  let peak: MemorySample = { rssMb: 0, heapTotalMb: 0, heapUsedMb: 0, externalMb: 0 };
  const take = (): void => {
    // Only RSS every time (process.memoryUsage() walks the V8 heap: ~50 ms of the measured
    // process's event loop per catch-up pass); the rest when RSS is at a new peak.
    if (process.memoryUsage.rss() / MB <= peak.rssMb) return;
    const m = process.memoryUsage();
    if (m.rss / MB > peak.rssMb) {
      const heapSpaces: Record<string, string> = {};
      for (const sp of getHeapSpaceStatistics()) {
        if (sp.space_size > MB) heapSpaces[sp.space_name] = `${round1(sp.space_used_size / MB)} / ${round1(sp.space_size / MB)}`;
      }
      peak = { rssMb: round1(m.rss / MB), heapTotalMb: round1(m.heapTotal / MB), heapUsedMb: round1(m.heapUsed / MB), externalMb: round1(m.external / MB), heapSpaces };
    }
  };
  const timer = setInterval(take, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      take();
      return peak;
    },
  };
}

/** CPU seconds of this process's main thread and of all its other threads. */
export interface ThreadCpu {
  main: number;
  /** V8's platform threads (parallel and concurrent GC, optimizing compiler) and libuv's pool. */
  others: number;
}

/** Clock ticks per second of /proc/<pid>/task/<tid>/stat times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;

/**
 * Per-thread CPU from /proc/self/task (Linux; null elsewhere). Threads that ended since `since`
 * was taken are missing from the difference, so take both readings while the threads run.
 */
export function threadCpu(): ThreadCpu | null {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return null;
  }
  const out: ThreadCpu = { main: 0, others: 0 };
  for (const tid of tids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    // Fields after the command name, which is in parentheses and may hold spaces: utime, stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const seconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    if (tid === String(process.pid)) out.main += seconds;
    else out.others += seconds;
  }
  return out;
}

export function threadCpuSince(since: ThreadCpu | null): ThreadCpu | null {
  const now = threadCpu();
  if (now === null || since === null) return null;
  return { main: now.main - since.main, others: now.others - since.others };
}
