import { distribution, type Distribution } from '../distribution.js';
import { mean, sampleStd } from '../statistics.js';
import type { ClvResult } from './ginelli.js';

/** A named range of state coordinates (a layer's h, an LSTM layer's c): where CLVs can live. */
export interface StatePart {
  name: string;
  start: number;
  length: number;
}

export interface ClvSummary {
  units: string;
  /** Mean local growth rate along each CLV over the window and the batch: the Lyapunov exponents. */
  exponents: number[];
  /**
   * Their standard errors, from the means of at least 10 groups: the trajectories when B ≥ 10,
   * else ⌈10/B⌉ consecutive stretches of each trajectory's window (batch means in time).
   */
  stderr: number[];
  /** The Gram–Schmidt estimate over the same steps (mean log R_ii). */
  forwardExponents: number[];
  /** Distribution of the local (one-step) growth rate along each CLV. */
  growth: Distribution[];
  /** Angles in degrees: between CLV_i and CLV_{i+1} (pairs[i] for i = 1..k−1, 1-based names), and the unstable/stable subspace angle. */
  angles: {
    unstable: number;
    subspace: Distribution | null;
    pairs: { i: number; j: number; degrees: Distribution }[];
  };
  /** weights[i][p]: mean over samples of the fraction of |CLV_{i+1}|² in part p. */
  location: { parts: string[]; weights: number[][] } | null;
}

const DEGREES = 180 / Math.PI;
const ANGLE_BINS = 18;
const GROWTH_BINS = 30;

/** What users read from CLVs: exponents, growth-rate and angle distributions, and (given the state's parts) where each CLV lives. */
export function clvSummary(result: ClvResult, parts?: readonly StatePart[]): ClvSummary {
  const { k, batch, window, growth, angles } = result;
  const along = (i: number) => Float64Array.from({ length: batch * window }, (_, at) => growth[at * k + i]!);
  const exponents: number[] = [];
  const stderr: number[] = [];
  const growthDistributions: Distribution[] = [];
  for (let i = 0; i < k; i++) {
    const values = along(i);
    const perTrajectory = Math.min(window, Math.ceil(10 / batch));
    const groups = batch * perTrajectory;
    // Stretches never span two trajectories: the values are trajectory after trajectory, window steps each.
    const means = Array.from({ length: groups }, (_, g) => {
      const [b, part] = [Math.floor(g / perTrajectory), g % perTrajectory];
      const [from, to] = [Math.floor((part * window) / perTrajectory), Math.floor(((part + 1) * window) / perTrajectory)];
      return mean(Array.from(values.subarray(b * window + from, b * window + to)));
    });
    exponents.push(mean(Array.from(values)));
    stderr.push(sampleStd(means) / Math.sqrt(groups));
    growthDistributions.push(distribution(values, { bins: GROWTH_BINS }));
  }
  const pairs = Array.from({ length: k - 1 }, (_, i) => ({
    i: i + 1, j: i + 2,
    degrees: distribution(angles.pairs.filter((_, at) => at % (k - 1) === i).map((x) => x * DEGREES), { bins: ANGLE_BINS, lo: 0, hi: 90 }),
  }));
  const subspace = angles.unstable > 0 && angles.unstable < k
    ? distribution(angles.subspace.map((x) => x * DEGREES), { bins: ANGLE_BINS, lo: 0, hi: 90 })
    : null;
  return {
    units: result.units, exponents, stderr, forwardExponents: result.forwardExponents, growth: growthDistributions,
    angles: { unstable: angles.unstable, subspace, pairs },
    location: parts === undefined ? null : { parts: parts.map((p) => p.name), weights: locationWeights(result, parts) },
  };
}

/** weights[i][p]: the fraction of |CLV_i|² in part p, averaged over trajectories and samples. */
function locationWeights(result: ClvResult, parts: readonly StatePart[]): number[][] {
  const { dim: n, k, batch, times } = result;
  const weights = Array.from({ length: k }, () => new Array<number>(parts.length).fill(0));
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < times.length; s++) {
      const v = result.vectors(b, s);
      for (let i = 0; i < k; i++) {
        let total = 0;
        for (let r = 0; r < n; r++) total += v[i * n + r]! ** 2;
        parts.forEach((part, p) => {
          let sum = 0;
          for (let r = part.start; r < part.start + part.length; r++) sum += v[i * n + r]! ** 2;
          weights[i]![p]! += sum / total / (batch * times.length);
        });
      }
    }
  }
  return weights;
}
