import { totalmem } from 'node:os';
import { OptionError } from '../../errors.js';

/** What decides the storage of covariant Lyapunov vectors, known before anything is allocated. */
export interface ClvShape {
  batch: number;
  /** State dimension n and vectors k. */
  dim: number;
  k: number;
  window: number;
  backwardTransient: number;
  /** Steps of the window between two stored vector samples. */
  every: number;
}

/** Vector samples per trajectory: window positions 0, every, 2·every, … below the window. */
export function clvSamples(window: number, every: number): number {
  return Math.ceil(window / every);
}

/**
 * The bytes the Ginelli method holds, part by part: R of every step of the window and of the
 * backward transient (k(k+1)/2 doubles each, per trajectory), Q (then the CLVs) at the samples
 * (n·k each), the local growth rates (k per step of the window).
 */
export function clvMemory(shape: ClvShape): { bytes: number; parts: [string, number][] } {
  const { batch, dim: n, k, window, backwardTransient, every } = shape;
  const samples = clvSamples(window, every);
  const parts: [string, number][] = [
    [`R factors ${batch} × ${window + backwardTransient} steps × ${k}·${k + 1}/2 float64`, 8 * batch * (window + backwardTransient) * ((k * (k + 1)) / 2)],
    [`vectors ${batch} × ${samples} samples × ${n} × ${k} float64`, 8 * batch * samples * n * k],
    [`local growth rates ${batch} × ${window} × ${k} float64`, 8 * batch * window * k],
  ];
  return { bytes: parts.reduce((sum, [, bytes]) => sum + bytes, 0), parts };
}

/** A quarter of the machine's memory: the library's default budget for the R factors and vectors. */
export function defaultClvBudget(): number {
  return totalmem() / 4;
}

/**
 * The longest window, below `shape.window`, whose storage fits `budget` bytes with the same
 * backward transient and sampling interval (at most the window); 0 when none does.
 */
export function largestClvWindow(shape: ClvShape, budget: number): number {
  return largestFitting(shape.window, (window) => clvMemory({ ...shape, window, every: Math.min(shape.every, window) }).bytes <= budget);
}

/** The largest integer x in [0, limit) for which `fits(x)` holds, `fits` being monotone (true, then false); 0 when none. */
export function largestFitting(limit: number, fits: (x: number) => boolean): number {
  let [low, high] = [0, limit];
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle;
  }
  return low;
}

export function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toPrecision(3)} GiB` : `${(bytes / 2 ** 20).toPrecision(3)} MiB`;
}

/** Refuses, before anything is allocated, storage beyond `budget` bytes: names the size, its largest part and a window that fits. */
export function checkClvMemory(shape: ClvShape, budget: number, budgetName = 'maxBytes'): void {
  const { bytes, parts } = clvMemory(shape);
  if (bytes <= budget) return;
  const largest = parts.reduce((a, b) => (b[1] > a[1] ? b : a));
  const fits = largestClvWindow(shape, budget);
  throw new OptionError(
    `covariant Lyapunov vectors need ≈ ${formatBytes(bytes)} (${largest[0]}: ${formatBytes(largest[1])}), over the memory budget of ` +
      `${formatBytes(budget)} (${budgetName}); ` +
      (fits > 0 ? `a window of at most ${fits} steps fits, or` : 'even the backward transient alone does not fit:') +
      ` use fewer trajectories, fewer vectors k or a larger sampling interval (every)`,
  );
}
