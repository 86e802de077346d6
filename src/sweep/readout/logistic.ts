/**
 * L2-penalised logistic regression for the trainable / not-trainable split: standardised
 * features, an unpenalised intercept, Newton–Raphson (IRLS) with ml-matrix's `solve`.
 * ml-logistic-regression was tried first: it has no intercept, no penalty and no convergence
 * test (fixed-step gradient ascent), and took ~50 ms a fit, too slow for leave-one-out over
 * several feature sets. The penalty keeps separable folds (common with ~100 runs) finite.
 *
 * The fit is kept only if its approximate leave-one-out log-loss (Rad & Maleki 2020, exact in
 * the limit of small leverages) beats the exact leave-one-out log-loss of the intercept-only
 * model; otherwise the features are dropped. Without this choice, a feature set without signal
 * scores far below 0.5 under leave-pair-out validation (each pair left out tilts the fit against
 * that pair, and nothing else tilts it), where 0.5 is the truth.
 */
import { inverse, Matrix, solve } from 'ml-matrix';
import { Standardizer } from './standardize.js';

/** Penalty on the standardised coefficients (λ/2)‖β‖². */
export const LOGISTIC_PENALTY = 1;

export interface ClassifierModel {
  /** Intercept, then the coefficients of the standardised features (a warm start for a similar fit). */
  coefficients: number[];
  /** P(label 1) of each row. */
  probability(x: Matrix): number[];
  /** The log-odds less the intercept: what the features contribute (for ranking, see readout.ts). */
  score(x: Matrix): number[];
}

export function fitLogistic(x: Matrix, labels: readonly number[], penalty = LOGISTIC_PENALTY, start?: readonly number[]): ClassifierModel {
  const n = labels.length;
  const positives = labels.filter((l) => l === 1).length;
  const interceptOnly: ClassifierModel = {
    coefficients: [],
    probability: (xNew) => new Array<number>(xNew.rows).fill(positives / n),
    score: (xNew) => new Array<number>(xNew.rows).fill(0),
  };
  // One class only: the intercept would run off to infinity; its frequency is all there is.
  if (positives === 0 || positives === n) return interceptOnly;
  const scaler = Standardizer.fit(x);
  const design = (m: Matrix) => scaler.apply(m).to2DArray().map((row) => [1, ...row]);
  const a = design(x);
  const p = a[0].length;
  let beta = start?.length === p ? [...start] : new Array<number>(p).fill(0);
  let hessian: number[][] = [];
  for (let iteration = 0; iteration < 50; iteration++) {
    const mu = probabilities(a, beta);
    // Newton step on the penalised log-likelihood: (AᵀWA + λI′) δ = Aᵀ(y − μ) − λI′β (I′: no penalty on the intercept).
    hessian = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    const gradient = new Array<number>(p).fill(0);
    a.forEach((row, i) => {
      const w = Math.max(mu[i] * (1 - mu[i]), 1e-10);
      const r = labels[i] - mu[i];
      for (let j = 0; j < p; j++) {
        gradient[j] += row[j] * r;
        for (let k = 0; k <= j; k++) hessian[j][k] += w * row[j] * row[k];
      }
    });
    for (let j = 0; j < p; j++) {
      for (let k = 0; k < j; k++) hessian[k][j] = hessian[j][k];
      if (j > 0) {
        hessian[j][j] += penalty;
        gradient[j] -= penalty * beta[j];
      }
    }
    const step = solve(new Matrix(hessian), Matrix.columnVector(gradient)).getColumn(0);
    beta = beta.map((b, j) => b + step[j]);
    if (Math.max(...step.map(Math.abs)) < 1e-10) break;
  }
  if (approximateLooLoss(a, labels, beta, hessian) >= interceptOnlyLooLoss(labels)) return interceptOnly;
  return {
    coefficients: beta,
    probability: (xNew) => probabilities(design(xNew), beta),
    score: (xNew) => design(xNew).map((row) => row.reduce((z, v, j) => (j === 0 ? z : z + v * beta[j]), 0)),
  };
}

/**
 * Σ log-loss of approximate leave-one-out predictions: η₋ᵢ ≈ ηᵢ + qᵢ(μᵢ − yᵢ)/(1 − wᵢqᵢ), with
 * qᵢ = aᵢᵀ H⁻¹ aᵢ, H the penalised Hessian at the fit, wᵢ = μᵢ(1 − μᵢ).
 */
function approximateLooLoss(a: readonly number[][], labels: readonly number[], beta: readonly number[], hessian: number[][]): number {
  const hInverse = inverse(new Matrix(hessian)).to2DArray();
  let loss = 0;
  a.forEach((row, i) => {
    const eta = row.reduce((z, v, j) => z + v * beta[j], 0);
    const mu = 1 / (1 + Math.exp(-eta));
    const q = row.reduce((sum, v, j) => sum + v * row.reduce((t, u, k) => t + hInverse[j][k] * u, 0), 0);
    const w = mu * (1 - mu);
    const held = eta + (q * (mu - labels[i])) / Math.max(1 - w * q, 1e-12);
    loss += logLoss(labels[i], 1 / (1 + Math.exp(-held)));
  });
  return loss;
}

/** Σ log-loss of the intercept-only model left out one row at a time: p₋ᵢ = (P − yᵢ)/(n − 1). */
function interceptOnlyLooLoss(labels: readonly number[]): number {
  const n = labels.length;
  const positives = labels.reduce((s, l) => s + l, 0);
  return labels.reduce((loss, y) => loss + logLoss(y, (positives - y) / (n - 1)), 0);
}

function logLoss(y: number, p: number): number {
  const clipped = Math.min(Math.max(p, 1e-15), 1 - 1e-15);
  return -(y * Math.log(clipped) + (1 - y) * Math.log(1 - clipped));
}

function probabilities(a: readonly number[][], beta: readonly number[]): number[] {
  return a.map((row) => 1 / (1 + Math.exp(-row.reduce((z, v, j) => z + v * beta[j], 0))));
}
