/**
 * The baselines that can bend (quadratic ridge and kNN on the hyperparameters, early loss with
 * its square): each recovers a planted nonlinear relation that its linear twin misses, none
 * invents one from shuffled targets, and the nested cross-validation never fits on the row it
 * predicts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from 'ml-matrix';
import { Rng } from '../src/linalg/index.js';
import { assignFolds, crossValidate, fitKnn, runReadout, type FeatureSet, type ReadoutRow, type Regressor } from '../src/sweep/index.js';

const N = 80;

/** Rows with log-uniform p and lr, a one-hot cell (unless left out), a random spectrum and early loss; finalLoss from `target`. */
function plantedRows(target: (row: Omit<ReadoutRow, 'finalLoss'>, rng: Rng) => number, seed = 3, withCell = true, n = N): ReadoutRow[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const [p, lr, cell] = [10 ** rng.range(-1, 1), 10 ** rng.range(-3, -1), rng.int(2) === 0 ? 'lstm' : 'gru'];
    const row = {
      id: `r${i}`,
      params: { p, lr, ...(withCell ? { cell } : {}) },
      exponents: Array.from({ length: 8 }, (_, j) => rng.normal() - j * 0.1).sort((a, b) => b - a),
      earlyLoss: rng.range(1, 4),
    };
    return { ...row, finalLoss: target(row, rng) };
  });
}

/** 10-fold (not leave-one-out) to keep the test fast: leave-pair-out AUC refits every pair. */
const scoreOf = (rows: ReadoutRow[], name: string) => {
  const s = runReadout(rows, { folds: 10 }).scores.find((score) => score.features === name);
  assert.ok(s, `the readout has '${name}'`);
  return s;
};

test('the quadratic ridge and kNN recover final loss = (log p)² + noise; the linear hyperparameter ridge does not', () => {
  // p and lr only, 150 rows: kNN has no feature selection, so each irrelevant hyperparameter dilutes its neighbourhoods.
  const rows = plantedRows((row, rng) => Math.log10(row.params.p as number) ** 2 + 0.05 * rng.normal(), 3, false, 150);
  const linear = scoreOf(rows, 'hyperparameters');
  const quadratic = scoreOf(rows, 'hyperparameters quadratic');
  const knn = scoreOf(rows, 'hyperparameters kNN');
  assert.ok(quadratic.r2 > 0.8, `quadratic: ${JSON.stringify(quadratic)}`);
  assert.ok(knn.r2 > 0.8, `kNN: ${JSON.stringify(knn)}`);
  assert.ok(linear.r2 < 0.2, `linear: ${JSON.stringify(linear)}`);
  assert.ok(knn.hyperparameter > 1, `k chosen above 1 for a smooth relation with noise: ${knn.hyperparameter}`);
});

test('early loss with its square recovers final loss = (early − 2.5)² + noise; early loss alone does not', () => {
  const rows = plantedRows((row, rng) => (row.earlyLoss - 2.5) ** 2 + 0.05 * rng.normal());
  const squared = scoreOf(rows, 'early loss + early loss²');
  const linear = scoreOf(rows, 'early loss');
  assert.ok(squared.r2 > 0.8, `with its square: ${JSON.stringify(squared)}`);
  assert.ok(linear.r2 < 0.2, `alone: ${JSON.stringify(linear)}`);
});

test('none of the new baselines invents a relation from shuffled targets (cross-validated R² ≤ 0.05)', () => {
  for (const seed of [1, 2, 3]) {
    const planted = plantedRows((row, rng) => Math.log10(row.params.p as number) ** 2 + (row.earlyLoss - 2.5) ** 2 + 0.05 * rng.normal(), seed);
    const rng = new Rng(100 + seed);
    const targets = planted.map((row) => row.finalLoss);
    for (let i = targets.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [targets[i], targets[j]] = [targets[j], targets[i]];
    }
    const shuffled = planted.map((row, i) => ({ ...row, finalLoss: targets[i] }));
    for (const name of ['hyperparameters quadratic', 'hyperparameters kNN', 'early loss + early loss²']) {
      const s = scoreOf(shuffled, name);
      assert.ok(s.r2 <= 0.05, `${name} on shuffled targets (seed ${seed}): ${JSON.stringify(s)}`);
    }
  }
});

test('nested cross-validation: no regressor is fitted on, or chooses its hyperparameter with, the row it predicts', () => {
  // The build and the regressor record the rows and targets they get in each fold.
  const rows = plantedRows((_, rng) => rng.normal());
  const y = rows.map((row) => row.finalLoss);
  const seen: { train: string[]; test: string[] }[] = [];
  const leaky: FeatureSet = {
    name: 'leak',
    columns: 1,
    build: (train, test) => {
      seen.push({ train: train.map((row) => row.id), test: test.map((row) => row.id) });
      return { train: new Matrix(train.map((row) => [row.finalLoss])), test: new Matrix(test.map((row) => [row.finalLoss])) };
    },
    regressor: fitKnn,
  };
  const fittedOn: number[][] = [];
  const recording: Regressor = (x, targets) => {
    fittedOn.push([...targets]);
    return fitKnn(x, targets);
  };
  for (const folds of ['loo', 5] as const) {
    seen.length = 0;
    fittedOn.length = 0;
    const fold = assignFolds(rows.length, folds, 1);
    const held = crossValidate({ ...leaky, regressor: recording }, rows, y, fold);
    assert.equal(seen.length, Math.max(...fold) + 1);
    seen.forEach(({ train, test }, f) => {
      assert.deepEqual(test, rows.filter((_, i) => fold[i] === f).map((row) => row.id), `fold ${f} predicts its own rows`);
      assert.ok(test.every((id) => !train.includes(id)), `fold ${f}: no held-out row among the training rows`);
      assert.equal(fittedOn[f].length, train.length, `fold ${f}: the regressor saw the training targets only`);
    });
    assert.equal(held.hyperparameters.length, seen.length);
  }
});
