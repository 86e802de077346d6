/**
 * Transfer: fit a readout on one part of a sweep and predict another it has never seen — one
 * cell type from the other (LSTM → GRU), one hidden size from the others. Hyperparameters enter
 * as they are (a cell never seen in training is a column that was constant there: it adds
 * nothing); the spectrum enters on a size-free axis, the exponent against its normalised index
 * i/n, so networks of different state dimensions n compare at the same fraction of their
 * spectrum.
 *
 * The size-free axis: exponent i (0-based) of a state of dimension n sits at (i + ½)/n, the
 * middle of its share of [0, 1]. A spectrum of the top k exponents covers [0, k/n]; the axis
 * runs over the fraction every run of the split covers, F = min k/n, sampled at the middles of
 * `resampleLength` equal bins (linear interpolation; the ends held flat within half an exponent).
 * The scalar spectrum features are then taken of that resampled curve, so λ₁, the mean, the
 * slope and the count above the threshold all refer to the same fraction of every network.
 */
import { featureSets } from './feature-sets.js';
import { ridgeRegressor } from './regressor.js';
import { DEFAULT_FEATURE_OPTIONS, type FeatureOptions } from './spectrum-features.js';
import type { ReadoutRow } from './rows.js';
import { rSquared, spearman } from './scores.js';

export interface TransferSplit {
  /** e.g. 'lstm → gru', 'hidden 32, 64 → 128'. */
  name: string;
  /** What differs between the training and the held-out part. */
  across: 'cell' | 'hidden';
  nTrain: number;
  nTest: number;
  /** The fraction of the spectrum both parts cover, F = min k/n. */
  fraction: number;
  scores: { features: string; columns: number; r2: number; spearman: number }[];
}

export interface TransferResult {
  splits: TransferSplit[];
  /** Why there are no splits (the sweep varies neither cell nor hidden, or rows lack their state dimension). */
  note?: string;
}

/** Parameters a transfer split can hold out, and how their levels are named. */
const ACROSS = ['cell', 'hidden'] as const;

export function runTransfer(rows: readonly ReadoutRow[], options: FeatureOptions = DEFAULT_FEATURE_OPTIONS): TransferResult {
  if (rows.some((row) => row.stateDimension === undefined)) {
    return { splits: [], note: 'the runs do not record the dimension of their state, which the size-free spectrum axis needs' };
  }
  const splits: TransferSplit[] = [];
  for (const across of ACROSS) {
    const levels = [...new Set(rows.map((row) => row.params[across]).filter((v) => v !== undefined))].sort(byValue);
    if (levels.length < 2) continue;
    for (const [train, test] of heldOutLevels(levels)) {
      const trainRows = rows.filter((row) => train.includes(row.params[across]));
      const testRows = rows.filter((row) => row.params[across] === test);
      const name = across === 'cell' ? `${train.join(', ')} → ${test}` : `hidden ${train.join(', ')} → ${test}`;
      splits.push({ name, across, ...transferScores(trainRows, testRows, options) });
    }
  }
  return splits.length > 0 ? { splits } : { splits, note: 'the sweep varies neither the cell nor the hidden size' };
}

/**
 * Each level held out in turn, trained on the others — except that a cell is learned from one
 * other cell at a time (LSTM → GRU and GRU → LSTM), the question asked of architectures.
 */
function heldOutLevels(levels: readonly (number | string)[]): [(number | string)[], number | string][] {
  if (typeof levels[0] === 'string') return levels.flatMap((a) => levels.filter((b) => b !== a).map((b): [(number | string)[], number | string] => [[a], b]));
  return levels.map((test) => [levels.filter((v) => v !== test), test]);
}

function transferScores(train: readonly ReadoutRow[], test: readonly ReadoutRow[], options: FeatureOptions):
  Omit<TransferSplit, 'name' | 'across'> {
  const all = [...train, ...test];
  const fraction = Math.min(...all.map((row) => row.exponents.length / row.stateDimension!));
  const sizeFree = all.map((row) => ({ ...row, exponents: sizeFreeSpectrum(row.exponents, row.stateDimension!, fraction, options.resampleLength) }));
  const trainRows = sizeFree.slice(0, train.length);
  const testRows = sizeFree.slice(train.length);
  const heldY = test.map((row) => row.finalLoss);
  // Every model is fitted on the training part alone, its α or k chosen within it.
  const scores = featureSets(sizeFree, options).map((set) => {
    const built = set.build(trainRows, testRows);
    const model = (set.regressor ?? ridgeRegressor)(built.train, train.map((row) => row.finalLoss));
    return { features: set.name, columns: set.columns, r2: rSquared(heldY, model.predict(built.test)), spearman: spearman(heldY, model.score(built.test)) };
  });
  return { nTrain: train.length, nTest: test.length, fraction, scores };
}

/**
 * The top exponents of a state of dimension n, resampled at the middles of `length` equal bins of
 * [0, fraction] on the axis i/n (exponent i at (i + ½)/n).
 */
export function sizeFreeSpectrum(exponents: readonly number[], n: number, fraction: number, length: number): number[] {
  const k = exponents.length;
  return Array.from({ length }, (_, j) => {
    const position = ((j + 0.5) / length) * fraction * n - 0.5; // in units of the index i
    if (position <= 0) return exponents[0];
    if (position >= k - 1) return exponents[k - 1];
    const i = Math.floor(position);
    return exponents[i] + (position - i) * (exponents[i + 1] - exponents[i]);
  });
}

function byValue(a: number | string, b: number | string): number {
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
}
