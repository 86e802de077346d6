/**
 * The predictors compared by the readout: hyperparameters alone (linearly, with squares and
 * interactions, and by nearest neighbours), the early loss (linearly and with its square), the
 * spectrum in several forms, and combinations. Each set builds its training and held-out
 * matrices from a fold's rows; only the PCA set fits anything (the components, on the training
 * rows only). Each set names its regressor (ridge unless said otherwise).
 */
import { Matrix } from 'ml-matrix';
import { PCA } from 'ml-pca';
import { DEFAULT_FEATURE_OPTIONS, resampleSpectrum, SCALAR_FEATURES, spectrumFeatures, type FeatureOptions } from './spectrum-features.js';
import type { ReadoutRow } from './rows.js';
import { fitKnn } from './knn.js';
import type { Regressor } from './regressor.js';

export interface FeatureSet {
  name: string;
  columns: number;
  build(train: readonly ReadoutRow[], test: readonly ReadoutRow[]): { train: Matrix; test: Matrix };
  /** The regressor fitted on the training matrix (default: ridge). */
  regressor?: Regressor;
}

type RowFeatures = (row: ReadoutRow) => number[];

/** The feature sets for these rows, baselines first. Sets without columns (nothing varies) are left out. */
export function featureSets(rows: readonly ReadoutRow[], options: FeatureOptions = DEFAULT_FEATURE_OPTIONS): FeatureSet[] {
  const { numeric, categorical } = hyperparameterColumns(rows);
  const hyper: RowFeatures = (row) => [...numeric(row), ...categorical(row)];
  const quadratic: RowFeatures = (row) => [...hyper(row), ...productsOfPairs(numeric(row))];
  const early: RowFeatures = (row) => [row.earlyLoss];
  const earlySquared: RowFeatures = (row) => [row.earlyLoss, row.earlyLoss ** 2];
  const summary: RowFeatures = (row) => SCALAR_FEATURES.map((name) => spectrumFeatures(row.exponents, options)[name]);
  const resampled: RowFeatures = (row) => resampleSpectrum(row.exponents, options.resampleLength);
  const lambda1: RowFeatures = (row) => [summary(row)[0]];
  const join = (...parts: RowFeatures[]): RowFeatures => (row) => parts.flatMap((part) => part(row));
  const sets: FeatureSet[] = [
    rowwise('hyperparameters', hyper, rows),
    rowwise('hyperparameters quadratic', quadratic, rows),
    { ...rowwise('hyperparameters kNN', hyper, rows), regressor: fitKnn },
    rowwise('early loss', early, rows),
    rowwise('early loss + early loss²', earlySquared, rows),
    rowwise('hyperparameters + early loss', join(hyper, early), rows),
    rowwise('λ₁', lambda1, rows),
    principalComponent('spectrum PC1', resampled),
    rowwise('spectrum summary', summary, rows),
    rowwise('spectrum (resampled)', resampled, rows),
    rowwise('spectrum', join(summary, resampled), rows),
    rowwise('spectrum + early loss', join(summary, resampled, early), rows),
  ];
  return sets.filter((set) => set.columns > 0);
}

function rowwise(name: string, features: RowFeatures, rows: readonly ReadoutRow[]): FeatureSet {
  const matrix = (part: readonly ReadoutRow[]) => new Matrix(part.map(features));
  return { name, columns: rows.length === 0 ? 0 : features(rows[0]).length, build: (train, test) => ({ train: matrix(train), test: matrix(test) }) };
}

/** The first principal component of the resampled spectrum, the components fitted on the training rows. */
function principalComponent(name: string, resampled: RowFeatures): FeatureSet {
  return {
    name,
    columns: 1,
    build: (train, test) => {
      const pca = new PCA(train.map(resampled));
      const project = (part: readonly ReadoutRow[]) => pca.predict(part.map(resampled), { nComponents: 1 });
      return { train: project(train), test: project(test) };
    },
  };
}

/** Squares and pairwise products of the values: the second-order terms of a quadratic model. */
function productsOfPairs(values: readonly number[]): number[] {
  return values.flatMap((a, i) => values.slice(i).map((b) => a * b));
}

/**
 * Numbers as they are, or as log10 when they are positive and span a factor of 10 or more
 * (learning rates, init scales); strings 'name:number' sharing one name (init 'uniform:0.3')
 * as that number; other strings one-hot (first level dropped). Columns that never vary are left out.
 * The numeric and the one-hot columns apart (the quadratic set squares and multiplies only the numeric ones).
 */
export function hyperparameterColumns(rows: readonly ReadoutRow[]): { numeric: RowFeatures; categorical: RowFeatures } {
  const names = [...new Set(rows.flatMap((row) => Object.keys(row.params)))].sort();
  const encoders: RowFeatures[] = [];
  const oneHot: RowFeatures[] = [];
  for (const name of names) {
    const values = rows.map((row) => row.params[name]);
    const numeric = numericReading(values);
    if (numeric !== undefined) {
      const numbers = values.map(numeric);
      const logScale = numbers.every((v) => v > 0) && Math.max(...numbers) / Math.min(...numbers) >= 10;
      if (new Set(numbers).size > 1) encoders.push((row) => [logScale ? Math.log10(numeric(row.params[name])) : numeric(row.params[name])]);
    } else {
      const levels = [...new Set(values.map(String))].sort();
      if (levels.length > 1) oneHot.push((row) => levels.slice(1).map((level) => (String(row.params[name]) === level ? 1 : 0)));
    }
  }
  return { numeric: (row) => encoders.flatMap((encode) => encode(row)), categorical: (row) => oneHot.flatMap((encode) => encode(row)) };
}

const SCALED = /^([A-Za-z_]+):([-+0-9.eE]+)$/;

/** How to read these values as numbers (plain numbers, or 'name:number' with one shared name), if they all are. */
function numericReading(values: readonly (number | string | undefined)[]): ((value: number | string | undefined) => number) | undefined {
  if (values.every((v) => typeof v === 'number')) return (v) => v as number;
  const parsed = values.map((v) => (typeof v === 'string' ? SCALED.exec(v) : null));
  if (parsed.some((m) => m === null || !Number.isFinite(Number(m[2]))) || new Set(parsed.map((m) => m![1])).size !== 1) return undefined;
  return (v) => Number(SCALED.exec(String(v))![2]);
}
