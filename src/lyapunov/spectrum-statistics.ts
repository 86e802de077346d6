import type { SpectrumRunRecord } from './spectrum-options.js';
import { SEGMENTS, type SpectrumSums } from './spectrum-sums.js';
import { entropyRate, kaplanYorkeDimension, mean, sampleStd } from './statistics.js';

export interface SpectrumResult {
  /** Mean over the batch of each exponent, λ_1 first, in `units`. */
  exponents: number[];
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
  /** How many QR factorisations ran, and how often the conditioning guard shortened qrEvery. */
  qrCount: number;
  qrGuardFired: number;
  options: SpectrumRunRecord;
}

/** Exponents and their statistics from the accumulated sums. */
export function spectrumFromSums(sums: SpectrumSums): SpectrumResult {
  const { logSums, segmentSums, segmentSteps, logDetSums, options } = sums;
  const { k, steps, logBase, batch } = options;
  // Exponents per time unit in the requested base.
  const scale = 1 / (sums.dt * (logBase === 'e' ? 1 : Math.log(logBase)));
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
  const ky = kaplanYorkeDimension(exponents);
  const baseName = logBase === 'e' ? 'nats' : logBase === 2 ? 'bits' : 'log10';
  return {
    exponents,
    std,
    stderr,
    stderrMethod: batch > 1 ? 'sequences' : 'batch-means',
    perSequence,
    units: `${baseName}/${sums.timeUnit}`,
    trace,
    sumRuleResidual,
    kaplanYorke: ky.value,
    kaplanYorkeIsLowerBound: ky.lowerBound,
    entropy: entropyRate(exponents),
    qrCount: sums.qrCount,
    qrGuardFired: sums.qrGuardFired,
    options,
  };
}

/** Σ over trajectories of each exponent's log sum. */
function trajectorySums(logSums: Float64Array, batch: number, k: number): Float64Array {
  const out = new Float64Array(k);
  for (let b = 0; b < batch; b++) for (let i = 0; i < k; i++) out[i] = out[i]! + logSums[b * k + i]!;
  return out;
}
