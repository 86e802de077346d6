import { finiteTimeExponents, type FiniteTimeExponents } from './finite-time.js';
import type { SpectrumRunRecord } from './spectrum-options.js';
import { SEGMENTS, type SpectrumSums } from './spectrum-sums.js';
import { entropyRate, kaplanYorkeDimension, mean, sampleStd } from './statistics.js';
import { log } from '../linalg/libm.js';

export interface SpectrumResult {
  /**
   * Mean over the batch of each exponent, in `units`, sorted λ_1 ≥ λ_2 ≥ … (except in compat
   * mode, which keeps the authors' column order). `std`, `stderr`, `perSequence` and `trace`
   * follow the same order.
   */
  exponents: number[];
  /**
   * columnOrder[i]: the QR column whose log-growth became exponent i. At finite T nearly equal
   * exponents can come out of the QR in the wrong order (e.g. −0.447, −0.451, −0.450); they are
   * sorted, and this says how. The identity when they were in order already.
   */
  columnOrder: number[];
  /** Sample standard deviation over the batch (0 when B = 1). */
  std: number[];
  /** Standard error of each mean: std/√B, or from 10 batch means in time when B = 1. */
  stderr: number[];
  stderrMethod: 'sequences' | 'batch-means';
  /** perSequence[b][i]: exponent i of trajectory b. */
  perSequence: number[][];
  /** e.g. 'nats/step', 'bits/step', 'nats/time unit'. */
  units: string;
  /** Running mean (1/t)Σ log R_ii averaged over the batch, at `steps[j]` averaged steps. */
  trace: { steps: number[]; exponents: number[][] };
  /** Mean over the batch of Σλ_i − ⟨log|det J_t|⟩ (k = n only; null otherwise), in `units`. */
  sumRuleResidual: number | null;
  kaplanYorke: number;
  /** True when all k exponents sum to ≥ 0, so the dimension is at least k. */
  kaplanYorkeIsLowerBound: boolean;
  /** Entropy rate Σ max(λ_i, 0), in `units`. */
  entropy: number;
  /**
   * How many QR factorisations ran; how often the conditioning guard halved the interval
   * between them, how many of those redid the interval that was too long (systems that can
   * rewind; the most of any thread), and the interval in force at the end (the least of any thread).
   */
  qrCount: number;
  qrGuardFired: number;
  qrRedone: number;
  finalQrEvery: number;
  /** The finite-time exponents over windows of options.ftleWindow steps, when they were asked for. */
  finiteTime?: FiniteTimeExponents;
  /** What the run found suspect (e.g. a sum-rule residual above its bound), one sentence each. */
  warnings: string[];
  options: SpectrumRunRecord;
}

/**
 * Bound on the sum-rule residual, relative to 1 + Σ|λ_i|. When the tangent map and the
 * log-determinant see the same Jacobian, float64 rounding leaves ≈ 1e-15 of that (the residual
 * of a one-layer LSTM fixture is 1.4e-14 nats/step against Σ|λ_i| ≈ 16); the bound leaves four
 * orders of room. float32 kernels round the tangent dynamics to ≈ 1e-7.
 */
const SUM_RULE_TOLERANCE = { float64: 1e-11, float32: 1e-4 } as const;

/** Exponents and their statistics from the accumulated sums. */
export function spectrumFromSums(sums: SpectrumSums): SpectrumResult {
  const { logSums, segmentSums, segmentSteps, logDetSums, options } = sums;
  const { k, steps, logBase, batch } = options;
  // Exponents per time unit in the requested base.
  const scale = 1 / (sums.dt * (logBase === 'e' ? 1 : log(logBase)));
  const perSequence: number[][] = [];
  for (let b = 0; b < batch; b++) {
    const row: number[] = [];
    for (let i = 0; i < k; i++) row.push((logSums[b * k + i]! / steps) * scale);
    perSequence.push(row);
  }
  const exponents: number[] = [];
  const std: number[] = [];
  const stderr: number[] = [];
  for (let i = 0; i < k; i++) {
    const column = perSequence.map((row) => row[i]!);
    exponents.push(mean(column));
    std.push(sampleStd(column));
    if (batch > 1) {
      stderr.push(sampleStd(column) / Math.sqrt(batch));
    } else {
      const segmentRates: number[] = [];
      for (let s = 0; s < SEGMENTS; s++) {
        if (segmentSteps[s]! > 0) segmentRates.push((segmentSums[s * k + i]! / segmentSteps[s]!) * scale);
      }
      stderr.push(sampleStd(segmentRates) / Math.sqrt(segmentRates.length));
    }
  }
  const trace = {
    steps: sums.trace.steps,
    exponents: sums.trace.logSums.map((row, j) => {
      const total = trajectorySums(row, batch, k);
      return Array.from(total, (v) => (v / (sums.trace.steps[j]! * batch)) * scale);
    }),
  };

  const baseName = logBase === 'e' ? 'nats' : logBase === 2 ? 'bits' : 'log10';
  const units = `${baseName}/${sums.timeUnit}`;
  let sumRuleResidual: number | null = null;
  if (logDetSums !== null) {
    // Both sides are −∞ together when J is singular (dead relu units): they agree.
    const residuals = perSequence.map((row, b) => {
      const sum = row.reduce((s, l) => s + l, 0);
      const logDetMean = (logDetSums[b]! / steps) * scale;
      return sum === logDetMean ? 0 : sum - logDetMean;
    });
    sumRuleResidual = mean(residuals);
  }
  const warnings: string[] = [];
  const bound = SUM_RULE_TOLERANCE[options.precision] * (1 + exponents.reduce((s, l) => s + Math.abs(l), 0));
  if (sumRuleResidual !== null && !(Math.abs(sumRuleResidual) <= bound)) {
    warnings.push(
      `the sum rule is off: Σλ_i − ⟨log|det J|⟩ = ${sumRuleResidual.toExponential(2)} ${units}, above the bound ${bound.toExponential(1)} ` +
        '(rounding alone stays far below it): the tangent map and the Jacobian of the log-determinant disagree, or the QR lost accuracy — do not trust the trailing exponents',
    );
  }
  // Sorting permutes whole columns, so each exponent keeps its own spread, per-sequence values
  // and trace; the sum rule, Kaplan–Yorke and the entropy are sums over columns or need the order.
  const columnOrder = exponents.map((_, i) => i);
  if (options.compat === null) columnOrder.sort((a, b) => exponents[b]! - exponents[a]! || a - b);
  const ordered = (values: readonly number[]): number[] => columnOrder.map((i) => values[i]!);
  const sorted = ordered(exponents);
  const ky = kaplanYorkeDimension(sorted);
  return {
    exponents: sorted,
    columnOrder,
    std: ordered(std),
    stderr: ordered(stderr),
    stderrMethod: batch > 1 ? 'sequences' : 'batch-means',
    perSequence: perSequence.map(ordered),
    units,
    trace: { steps: trace.steps, exponents: trace.exponents.map(ordered) },
    sumRuleResidual,
    kaplanYorke: ky.value,
    kaplanYorkeIsLowerBound: ky.lowerBound,
    entropy: entropyRate(sorted),
    qrCount: sums.qrCount,
    qrGuardFired: sums.qrGuardFired,
    qrRedone: sums.qrRedone,
    finalQrEvery: sums.finalQrEvery,
    warnings,
    ...(sums.windowSums !== null ? { finiteTime: finiteTimeExponents(sums.windowSums, batch, k, options.ftleWindow!, scale, columnOrder) } : {}),
    options,
  };
}

/** Σ over trajectories of each exponent's log sum. */
function trajectorySums(logSums: Float64Array, batch: number, k: number): Float64Array {
  const out = new Float64Array(k);
  for (let b = 0; b < batch; b++) for (let i = 0; i < k; i++) out[i] = out[i]! + logSums[b * k + i]!;
  return out;
}
