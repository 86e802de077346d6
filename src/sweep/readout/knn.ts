/**
 * k-nearest-neighbour regression on standardised columns, k chosen on the training rows alone
 * by their leave-one-out error (each training row predicted from its k nearest others).
 *
 * Why kNN and not a Gaussian process: a sweep gives a few dozen to a few hundred rows, and
 * every choice the model makes must be made inside the training folds. kNN has one integer to
 * choose, and its exact leave-one-out error costs one distance matrix; a GP's length scales
 * and noise level need a non-convex likelihood optimisation per fold, whose local optima and
 * failures would make the baseline as fragile as its optimiser. kNN bends any way the data do
 * and cannot extrapolate wildly, which is what a fair, robust baseline needs.
 */
import type { Matrix } from 'ml-matrix';
import { Standardizer } from './standardize.js';
import type { FittedRegressor } from './regressor.js';

/** Neighbour counts tried (those below the number of training rows). */
export const K_GRID = [1, 2, 3, 5, 8, 12, 20, 30];

export function fitKnn(x: Matrix, y: readonly number[], ks: readonly number[] = K_GRID): FittedRegressor {
  const scaler = Standardizer.fit(x);
  const train = scaler.apply(x).to2DArray();
  const mean = y.reduce((s, v) => s + v, 0) / y.length;
  const nearest = (point: readonly number[], skip: number) =>
    train.map((row, i) => ({ i, d: row.reduce((s, v, j) => s + (v - point[j]) ** 2, 0) }))
      .filter(({ i }) => i !== skip)
      .sort((a, b) => a.d - b.d || a.i - b.i)
      .map(({ i }) => i);
  const average = (order: readonly number[], k: number) => order.slice(0, k).reduce((s, i) => s + y[i], 0) / Math.min(k, order.length);
  const candidates = ks.filter((k) => k < train.length);
  const inner = train.map((row, i) => nearest(row, i));
  let best = { k: candidates[0] ?? 1, error: Infinity };
  for (const k of candidates) {
    const error = inner.reduce((s, order, i) => s + (y[i] - average(order, k)) ** 2, 0);
    if (error < best.error) best = { k, error };
  }
  const predict = (xNew: Matrix) => scaler.apply(xNew).to2DArray().map((point) => average(nearest(point, -1), best.k));
  return { hyperparameter: best.k, predict, score: (xNew) => predict(xNew).map((v) => v - mean) };
}
