/** Summaries of a sample (finite-time growth rates, angles): moments, quantiles and a histogram. */

export interface Distribution {
  count: number;
  mean: number;
  /** Sample standard deviation (n − 1); 0 for fewer than two values. */
  std: number;
  min: number;
  max: number;
  /** quantiles[j] is the p = QUANTILE_LEVELS[j] quantile (linear interpolation between order statistics). */
  quantiles: { p: number; value: number }[];
  /** counts[j] of the values in [edges[j], edges[j+1]) (the last bin closed); values outside the edges are not counted. */
  histogram: { edges: number[]; counts: number[] };
}

export const QUANTILE_LEVELS: readonly number[] = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];

/**
 * The distribution of `values` (non-finite ones are left out of every statistic), its histogram
 * over `bins` equal bins from `lo` to `hi` (default: the smallest and largest value).
 */
export function distribution(values: ArrayLike<number>, histogram: { bins: number; lo?: number; hi?: number }): Distribution {
  const sorted = Float64Array.from(Array.prototype.filter.call(values, (x: number) => Number.isFinite(x)) as number[]).sort();
  const count = sorted.length;
  let sum = 0;
  for (const x of sorted) sum += x;
  const mean = count > 0 ? sum / count : Number.NaN;
  let squares = 0;
  for (const x of sorted) squares += (x - mean) ** 2;
  const lo = histogram.lo ?? sorted[0] ?? 0;
  const hi = histogram.hi ?? sorted[count - 1] ?? 1;
  const width = hi > lo ? (hi - lo) / histogram.bins : 1;
  const counts = new Array<number>(histogram.bins).fill(0);
  for (const x of sorted) {
    if (x < lo || x > hi) continue;
    counts[Math.min(histogram.bins - 1, Math.floor((x - lo) / width))]++;
  }
  return {
    count, mean, std: count > 1 ? Math.sqrt(squares / (count - 1)) : 0,
    min: sorted[0] ?? Number.NaN, max: sorted[count - 1] ?? Number.NaN,
    quantiles: QUANTILE_LEVELS.map((p) => ({ p, value: quantile(sorted, p) })),
    histogram: { edges: Array.from({ length: histogram.bins + 1 }, (_, j) => lo + j * width), counts },
  };
}

/** The p-quantile of sorted values: linear between the order statistics at (count − 1)·p; NaN when empty. */
function quantile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * p;
  const below = Math.floor(at);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (at - below) * (sorted[above]! - sorted[below]!);
}
