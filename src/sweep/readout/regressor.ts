/** What the readout fits on a fold's training rows: a model with its own hyperparameter chosen on those rows alone. */
import type { Matrix } from 'ml-matrix';
import { fitRidge } from './ridge.js';

export interface FittedRegressor {
  /** The hyperparameter it chose on the training rows (ridge: α relative to the rows; kNN: k). */
  hyperparameter: number;
  predict(x: Matrix): number[];
  /** What the features contribute to the prediction, without a constant (for ranking, see readout.ts). */
  score(x: Matrix): number[];
}

export type Regressor = (x: Matrix, y: readonly number[]) => FittedRegressor;

/** The readout's linear model: ridge with α chosen by the training rows' leave-one-out error. */
export const ridgeRegressor: Regressor = (x, y) => {
  const model = fitRidge(x, y);
  return { hyperparameter: model.alpha, predict: model.predict, score: model.score };
};
