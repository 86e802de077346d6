/**
 * Scalar summaries of a Lyapunov spectrum (λ₁ ≥ λ₂ ≥ …, nats/step) for the readout, and the
 * spectrum resampled to a common length so networks of different sizes compare index by index
 * (on the normalised index i/(k−1) ∈ [0, 1]).
 */
import { entropyRate, kaplanYorkeDimension } from '../../lyapunov/index.js';

export interface FeatureOptions {
  /** Range of the normalised index over which the slope is fitted. Default [0, 0.5]. */
  slopeRange: [number, number];
  /** Exponents above this value are counted. Default −0.1 nats/step (near-neutral directions). */
  threshold: number;
  /** Length of the resampled spectrum. Default 16. */
  resampleLength: number;
}

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = { slopeRange: [0, 0.5], threshold: -0.1, resampleLength: 16 };

/**
 * Exponents of −∞ (directions the Jacobian annihilates, e.g. dead relu units) are read as this
 * floor: e^−30 per step is annihilation for every practical purpose, and features stay finite.
 */
export const EXPONENT_FLOOR = -30;

export const SCALAR_FEATURES = ['lambda1', 'mean', 'slope', 'countAbove', 'kaplanYorke', 'entropy'] as const;
export type ScalarFeature = (typeof SCALAR_FEATURES)[number];

export function spectrumFeatures(exponents: readonly number[], options: FeatureOptions = DEFAULT_FEATURE_OPTIONS): Record<ScalarFeature, number> {
  const l = floored(exponents);
  return {
    lambda1: l[0],
    mean: l.reduce((s, v) => s + v, 0) / l.length,
    slope: slope(l, options.slopeRange),
    countAbove: l.filter((v) => v > options.threshold).length,
    kaplanYorke: kaplanYorkeDimension(l).value,
    entropy: entropyRate(l),
  };
}

/** Linear interpolation of the spectrum at `length` evenly spaced points of the normalised index. */
export function resampleSpectrum(exponents: readonly number[], length: number): number[] {
  const l = floored(exponents);
  if (l.length === 1) return new Array<number>(length).fill(l[0]);
  return Array.from({ length }, (_, j) => {
    const x = (length === 1 ? 0 : j / (length - 1)) * (l.length - 1);
    const i = Math.min(Math.floor(x), l.length - 2);
    return l[i] + (x - i) * (l[i + 1] - l[i]);
  });
}

/** Least-squares slope of λ against the normalised index, over the indices in `range`. */
function slope(l: readonly number[], [from, to]: [number, number]): number {
  const xs: number[] = [];
  const ys: number[] = [];
  l.forEach((v, i) => {
    const x = l.length === 1 ? 0 : i / (l.length - 1);
    if (x >= from - 1e-12 && x <= to + 1e-12) {
      xs.push(x);
      ys.push(v);
    }
  });
  if (xs.length < 2) return 0; // one exponent in range: no slope to speak of
  const mx = xs.reduce((s, v) => s + v, 0) / xs.length;
  const my = ys.reduce((s, v) => s + v, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i] - my);
    sxx += (x - mx) ** 2;
  });
  return sxy / sxx;
}

function floored(exponents: readonly number[]): number[] {
  if (exponents.length === 0) throw new RangeError('a spectrum needs at least one exponent');
  return exponents.map((v, i) => {
    if (Number.isNaN(v)) throw new RangeError(`exponent ${i + 1} is NaN`);
    return Math.max(v, EXPONENT_FLOOR);
  });
}
