/** The readout's statistics against independent computations and known values. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix, solve } from 'ml-matrix';
import { Rng } from '../src/linalg/index.js';
import {
  assignFolds, fitLogistic, fitRidge, ranks, rocAuc, rSquared, spearman, Standardizer, EXPONENT_FLOOR, resampleSpectrum, spectrumFeatures,
} from '../src/sweep/index.js';

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

function randomData(n: number, p: number, seed: number): { x: Matrix; rng: Rng } {
  const rng = new Rng(seed);
  return { x: new Matrix(Array.from({ length: n }, () => Array.from({ length: p }, () => rng.normal()))), rng };
}

test('scores: known values of R², ranks with ties, Spearman and ROC AUC', () => {
  assert.equal(rSquared([1, 2, 3], [1, 2, 3]), 1);
  assert.equal(rSquared([1, 2, 3], [2, 2, 2]), 0);
  assert.equal(rSquared([1, 2, 3], [3, 2, 1]), -3);
  assert.deepEqual(ranks([10, 20, 20, 5]), [2, 3.5, 3.5, 1]);
  assert.equal(spearman([1, 2, 3, 4], [1, 8, 27, 64]), 1);
  assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  // ranks (1,2,3,4) vs (1,3,2,4): 1 − 6·Σd²/(n(n²−1)) = 1 − 12/60
  close(spearman([1, 2, 3, 4], [1, 3, 2, 4]), 0.8, 1e-15, 'ρ');
  assert.equal(rocAuc([1, 1, 0, 0], [0.9, 0.8, 0.2, 0.1]), 1);
  assert.equal(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]), 0);
  // pairs (pos, neg): (0.9,0.5) win, (0.9,0.2) win, (0.3,0.5) loss, (0.3,0.2) win → 3/4; a tie counts ½
  assert.equal(rocAuc([1, 0, 1, 0], [0.9, 0.5, 0.3, 0.2]), 0.75);
  assert.equal(rocAuc([1, 0], [0.5, 0.5]), 0.5);
  assert.throws(() => rocAuc([1, 1], [0.1, 0.2]), /both classes/);
});

test('ridge: the fit is (XᵀX + αnI)β = Xᵀy on standardised columns with a free intercept, α the argmin of brute-force leave-one-out error', () => {
  const { x, rng } = randomData(40, 5, 1);
  const y = x.to2DArray().map((row) => 3 + row[0] - 0.5 * row[1] + 0.8 * rng.normal());
  const alphas = [1e-3, 0.03, 1, 30];
  const xs = Standardizer.fit(x).apply(x);
  const n = x.rows;
  // Leave-one-out by refitting (scaling fixed on all rows, as the shortcut assumes): intercept + ridge on the remaining rows.
  const refit = (keep: number[], alpha: number) => {
    const a = new Matrix(keep.map((i) => [1, ...xs.getRow(i)]));
    const penalty = Matrix.eye(6).mul(alpha * n);
    penalty.set(0, 0, 0);
    return solve(a.transpose().mmul(a).add(penalty), a.transpose().mmul(Matrix.columnVector(keep.map((i) => y[i])))).getColumn(0);
  };
  const looError = (alpha: number) => y.reduce((sum, yi, i) => {
    const beta = refit(y.map((_, j) => j).filter((j) => j !== i), alpha);
    return sum + (yi - [1, ...xs.getRow(i)].reduce((s, v, k) => s + v * beta[k], 0)) ** 2;
  }, 0);
  const errors = alphas.map(looError);
  const model = fitRidge(x, y, alphas);
  assert.equal(model.alpha, alphas[errors.indexOf(Math.min(...errors))]);
  const beta = refit(y.map((_, j) => j), model.alpha);
  const direct = x.to2DArray().map((_, i) => [1, ...xs.getRow(i)].reduce((s, v, k) => s + v * beta[k], 0));
  model.predict(x).forEach((v, i) => close(v, direct[i], 1e-10, `prediction ${i}`));
  model.score(x).forEach((v, i) => close(v, direct[i] - beta[0], 1e-10, `score ${i}`));
});

test('logistic: the penalised likelihood is stationary at the fit; features without signal give way to the intercept-only model', () => {
  const { x, rng } = randomData(60, 3, 2);
  const labels = x.to2DArray().map((row) => (row[0] + 0.5 * rng.normal() > 0 ? 1 : 0));
  const model = fitLogistic(x, labels);
  const beta = model.coefficients;
  assert.equal(beta.length, 4);
  const a = Standardizer.fit(x).apply(x).to2DArray().map((row) => [1, ...row]);
  const p = model.probability(x);
  for (let j = 0; j < 4; j++) {
    const gradient = a.reduce((s, row, i) => s + row[j] * (labels[i] - p[i]), 0) - (j === 0 ? 0 : beta[j]);
    close(gradient, 0, 1e-8, `∂/∂β${j} of the penalised log-likelihood`);
  }
  assert.ok(beta[1] > 1 && Math.abs(beta[2]) < beta[1] && Math.abs(beta[3]) < beta[1], `the informative column dominates: ${beta}`);

  const noise = randomData(60, 2, 3);
  const coin = Array.from({ length: 60 }, (_, i) => i % 2);
  const none = fitLogistic(noise.x, coin);
  assert.deepEqual(none.coefficients, []);
  assert.deepEqual(none.score(noise.x), new Array(60).fill(0));
  assert.deepEqual(none.probability(noise.x), new Array(60).fill(0.5));
});

test('folds: leave-one-out, or k balanced folds of a seeded shuffle', () => {
  assert.deepEqual(assignFolds(4, 'loo'), [0, 1, 2, 3]);
  const folds = assignFolds(23, 5, 7);
  const sizes = [0, 1, 2, 3, 4].map((f) => folds.filter((v) => v === f).length);
  assert.deepEqual(sizes.sort(), [4, 4, 5, 5, 5]);
  assert.deepEqual(assignFolds(23, 5, 7), folds);
  assert.throws(() => assignFolds(10, 1), /folds must be an integer ≥ 2/);
});

test('spectrum features: Kaplan–Yorke, entropy, slope, count, resampling, and the floor for −∞', () => {
  // partial sums 1, 0.5, −1.5: j = 2, D = 2 + 0.5/2
  assert.equal(spectrumFeatures([1, -0.5, -2]).kaplanYorke, 2.25);
  assert.equal(spectrumFeatures([-0.1, -1]).kaplanYorke, 0);
  assert.equal(spectrumFeatures([0.2, 0.1]).kaplanYorke, 2);
  const linear = Array.from({ length: 9 }, (_, i) => 0.5 - 2 * (i / 8));
  const f = spectrumFeatures([0.3, 0.1, -0.05, -0.5], { slopeRange: [0, 1], threshold: -0.1, resampleLength: 4 });
  assert.equal(f.lambda1, 0.3);
  close(f.mean, -0.0375, 1e-15, 'mean');
  close(f.entropy, 0.4, 1e-15, 'entropy');
  assert.equal(f.countAbove, 3);
  close(spectrumFeatures(linear).slope, -2, 1e-12, 'slope of a linear spectrum');
  resampleSpectrum(linear, 5).forEach((v, j) => close(v, 0.5 - 2 * (j / 4), 1e-12, `resampled ${j}`));
  assert.deepEqual(resampleSpectrum([1, 0, -1], 3), [1, 0, -1]);
  assert.deepEqual(resampleSpectrum([2], 3), [2, 2, 2]);
  assert.equal(spectrumFeatures([0, -Infinity]).mean, EXPONENT_FLOOR / 2);
  assert.throws(() => spectrumFeatures([0, NaN]), /exponent 2 is NaN/);
});
