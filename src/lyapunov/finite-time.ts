import { mean, sampleStd } from './statistics.js';

/** Quantile levels reported for the finite-time exponents. */
export const FTLE_LEVELS: readonly number[] = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];

/** At most this many histogram bins per exponent (fewer for few windows: about √windows). */
const MAX_BINS = 40;

/**
 * The distribution of the finite-time exponents: each trajectory's exponents over consecutive
 * windows of `window` averaged steps, (1/W) Σ_{t in window} log R_t,ii, pooled over windows and
 * trajectories. Their mean is the spectrum itself (the windows tile the averaged steps); their
 * spread is what the exponents do over W steps — for a chaotic system it shrinks like 1/√W,
 * and a wide or two-humped distribution shows regimes the average hides. Every array is indexed
 * by exponent, in the spectrum's order.
 */
export interface FiniteTimeExponents {
  /** Averaged steps per window, W. */
  window: number;
  /** Windows per trajectory (steps / W), and in all (× B). */
  windowsPerSequence: number;
  count: number;
  mean: number[];
  /** Sample standard deviation over all windows. */
  std: number[];
  /** quantiles[i][j]: exponent i's quantile at levels[j] (linear interpolation between order statistics). */
  levels: number[];
  quantiles: number[][];
  /** Per exponent: bin edges (bins + 1, equal widths from the least to the largest finite value) and counts. */
  histogram: { edges: number[]; counts: number[] }[];
  /** Windows in which the exponent is −∞ (a direction annihilated there), kept out of the histogram. */
  infinite: number[];
}

/**
 * The finite-time exponents' statistics from the window sums (B×M×k, log R summed per window),
 * `scale` turning a sum per step into the reported unit, `order` the spectrum's column order.
 */
export function finiteTimeExponents(
  windowSums: Float64Array, batch: number, k: number, window: number, scale: number, order: readonly number[],
): FiniteTimeExponents {
  const count = windowSums.length / k;
  const result: FiniteTimeExponents = {
    window, windowsPerSequence: count / batch, count, mean: [], std: [], levels: [...FTLE_LEVELS], quantiles: [], histogram: [], infinite: [],
  };
  // One exponent at a time: a column of all its windows, then the next (they can be many).
  for (const column of order) {
    const values: number[] = new Array(count);
    for (let w = 0; w < count; w++) values[w] = (windowSums[w * k + column]! / window) * scale;
    result.mean.push(mean(values));
    result.std.push(sampleStd(values));
    result.quantiles.push(quantiles(values, FTLE_LEVELS));
    result.histogram.push(histogram(values));
    result.infinite.push(values.filter((v) => v === -Infinity).length);
  }
  return result;
}

/** Quantiles at `levels` of `values` (the R-7 rule: p(n − 1) interpolated between order statistics). */
export function quantiles(values: readonly number[], levels: readonly number[]): number[] {
  const sorted = Float64Array.from(values).sort();
  return levels.map((p) => {
    const at = p * (sorted.length - 1);
    const lo = Math.floor(at);
    const hi = Math.min(lo + 1, sorted.length - 1);
    const [a, b] = [sorted[lo]!, sorted[hi]!];
    return a === b ? a : a + (at - lo) * (b - a);
  });
}

/** Equal-width bins over the finite values, about √n of them (at most MAX_BINS); one bin when they are all equal. */
function histogram(values: readonly number[]): { edges: number[]; counts: number[] } {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { edges: [], counts: [] };
  // A loop, not Math.min(...finite): spreading a million windows overflows the stack.
  let [lo, hi] = [Infinity, -Infinity];
  for (const v of finite) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  const bins = hi === lo ? 1 : Math.max(1, Math.min(MAX_BINS, Math.round(Math.sqrt(finite.length))));
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, j) => (j === bins ? hi : lo + j * width));
  const counts = new Array<number>(bins).fill(0);
  for (const v of finite) counts[Math.min(bins - 1, width === 0 ? 0 : Math.floor((v - lo) / width))]!++;
  return { edges, counts };
}
