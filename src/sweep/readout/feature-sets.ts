/**
 * The predictors compared by the readout: hyperparameters alone, the early loss, the spectrum
 * in several forms, and combinations. Each set builds its training and held-out matrices from
 * a fold's rows; only the PCA set fits anything (the components, on the training rows only).
 */
import { Matrix } from 'ml-matrix';
import { PCA } from 'ml-pca';
import { DEFAULT_FEATURE_OPTIONS, resampleSpectrum, SCALAR_FEATURES, spectrumFeatures, type FeatureOptions } from './spectrum-features.js';
import type { ReadoutRow } from './rows.js';

export interface FeatureSet {
  name: string;
  columns: number;
  build(train: readonly ReadoutRow[], test: readonly ReadoutRow[]): { train: Matrix; test: Matrix };
}

type RowFeatures = (row: ReadoutRow) => number[];

/** The feature sets for these rows, baselines first. Sets without columns (nothing varies) are left out. */
export function featureSets(rows: readonly ReadoutRow[], options: FeatureOptions = DEFAULT_FEATURE_OPTIONS): FeatureSet[] {
  const hyper = hyperparameterEncoder(rows);
  const early: RowFeatures = (row) => [row.earlyLoss];
  const summary: RowFeatures = (row) => SCALAR_FEATURES.map((name) => spectrumFeatures(row.exponents, options)[name]);
  const resampled: RowFeatures = (row) => resampleSpectrum(row.exponents, options.resampleLength);
  const lambda1: RowFeatures = (row) => [summary(row)[0]];
  const join = (...parts: RowFeatures[]): RowFeatures => (row) => parts.flatMap((part) => part(row));
  const sets: FeatureSet[] = [
    rowwise('hyperparameters', hyper, rows),
    rowwise('early loss', early, rows),
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

/**
 * Numbers as they are, or as log10 when they are positive and span a factor of 10 or more
 * (learning rates, init scales); strings 'name:number' sharing one name (init 'uniform:0.3')
 * as that number; other strings one-hot (first level dropped). Columns that never vary are left out.
 */
export function hyperparameterEncoder(rows: readonly ReadoutRow[]): RowFeatures {
  const names = [...new Set(rows.flatMap((row) => Object.keys(row.params)))].sort();
  const encoders: RowFeatures[] = [];
  for (const name of names) {
    const values = rows.map((row) => row.params[name]);
    const numeric = numericReading(values);
    if (numeric !== undefined) {
      const numbers = values.map(numeric);
      const logScale = numbers.every((v) => v > 0) && Math.max(...numbers) / Math.min(...numbers) >= 10;
      if (new Set(numbers).size > 1) encoders.push((row) => [logScale ? Math.log10(numeric(row.params[name])) : numeric(row.params[name])]);
    } else {
      const levels = [...new Set(values.map(String))].sort();
      if (levels.length > 1) encoders.push((row) => levels.slice(1).map((level) => (String(row.params[name]) === level ? 1 : 0)));
    }
  }
  return (row) => encoders.flatMap((encode) => encode(row));
}

const SCALED = /^([A-Za-z_]+):([-+0-9.eE]+)$/;

/** How to read these values as numbers (plain numbers, or 'name:number' with one shared name), if they all are. */
function numericReading(values: readonly (number | string | undefined)[]): ((value: number | string | undefined) => number) | undefined {
  if (values.every((v) => typeof v === 'number')) return (v) => v as number;
  const parsed = values.map((v) => (typeof v === 'string' ? SCALED.exec(v) : null));
  if (parsed.some((m) => m === null || !Number.isFinite(Number(m[2]))) || new Set(parsed.map((m) => m![1])).size !== 1) return undefined;
  return (v) => Number(SCALED.exec(String(v))![2]);
}
