/** Memory and CPU of the current process, as the benchmark reports them. */
import { readFileSync } from 'node:fs';

export interface MemoryStats {
  /** Resident set size now, MB. */
  rssMb: number;
  /** Peak resident set size of this process so far (VmHWM), MB. */
  peakRssMb: number;
  heapUsedMb: number;
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
  return { rssMb: round1(m.rss / MB), peakRssMb: round1(vmHwmBytes() / MB), heapUsedMb: round1(m.heapUsed / MB) };
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
