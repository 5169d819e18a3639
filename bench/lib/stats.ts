/** Timing helpers: wall and CPU time of a call, percentiles, memory samples. */
import { memoryUsage } from 'node:process';

export interface Timed<T> {
  readonly value: T;
  /** Wall-clock milliseconds. */
  readonly wall: number;
  /** CPU milliseconds of this process (user + system, every thread: JIT and GC helpers too). */
  readonly cpu: number;
}

export function timed<T>(fn: () => T): Timed<T> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, wall, cpu: (c.user + c.system) / 1000 };
}

export async function timedAsync<T>(fn: () => Promise<T>): Promise<Timed<T>> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, wall, cpu: (c.user + c.system) / 1000 };
}

/** The p-th percentile (0..100) of a sample, by nearest rank. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank]!;
}

export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

/** Highest heap and RSS seen at the sample points, in MB. */
export class MemoryPeak {
  heap = 0;
  rss = 0;
  sample(): void {
    const m = memoryUsage();
    this.heap = Math.max(this.heap, m.heapUsed / 1e6);
    this.rss = Math.max(this.rss, m.rss / 1e6);
  }
}

export function round(x: number, digits = 2): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
