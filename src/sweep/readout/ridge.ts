/**
 * Ridge regression with an unpenalised intercept on standardised features, its penalty α
 * chosen on the training data alone by exact leave-one-out error. One eigendecomposition
 * XᵀX = V Λ Vᵀ (ml-matrix) serves every α: with Z = XV, the fit is ŷ = Z diag(1/(Λ+α)) Zᵀy,
 * the hat matrix H = 11ᵀ/n + Z diag(1/(Λ+α)) Zᵀ, and the LOO residual eᵢ/(1 − Hᵢᵢ).
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { Standardizer } from './standardize.js';

/** Penalties tried, relative to the number of training rows (standardised columns have Σx² = n). */
export const ALPHA_GRID = Array.from({ length: 25 }, (_, i) => 10 ** (-4 + (6 * i) / 24));

export interface RidgeModel {
  /** The chosen penalty, relative to the number of training rows. */
  alpha: number;
  predict(x: Matrix): number[];
  /** The prediction less its intercept: what the features contribute (for ranking, see readout.ts). */
  score(x: Matrix): number[];
}

export function fitRidge(x: Matrix, y: readonly number[], alphas: readonly number[] = ALPHA_GRID): RidgeModel {
  const n = x.rows;
  const scaler = Standardizer.fit(x);
  const xs = scaler.apply(x);
  const yMean = y.reduce((s, v) => s + v, 0) / n;
  const yc = y.map((v) => v - yMean);
  const eig = new EigenvalueDecomposition(xs.transpose().mmul(xs), { assumeSymmetric: true });
  const lambda = eig.realEigenvalues.map((l) => Math.max(l, 0)); // rounding can make a zero eigenvalue slightly negative
  const v = eig.eigenvectorMatrix;
  const z = xs.mmul(v).to2DArray();
  const zty = lambda.map((_, j) => z.reduce((sum, row, i) => sum + row[j] * yc[i], 0));

  let best = { alpha: alphas[0] * n, error: Infinity };
  for (const relative of alphas) {
    const alpha = relative * n;
    let error = 0;
    for (let i = 0; i < n; i++) {
      let fitted = 0;
      let leverage = 1 / n;
      for (let j = 0; j < lambda.length; j++) {
        const zij = z[i][j];
        fitted += (zij * zty[j]) / (lambda[j] + alpha);
        leverage += (zij * zij) / (lambda[j] + alpha);
      }
      error += ((yc[i] - fitted) / Math.max(1 - leverage, 1e-12)) ** 2;
    }
    if (error < best.error) best = { alpha, error };
  }
  const beta = v.mmul(Matrix.columnVector(zty.map((c, j) => c / (lambda[j] + best.alpha))));
  const score = (xNew: Matrix) => scaler.apply(xNew).mmul(beta).getColumn(0);
  return { alpha: best.alpha / n, score, predict: (xNew) => score(xNew).map((value) => value + yMean) };
}
