/**
 * The stability readout: how well each feature set predicts the final metric, by
 * cross-validated ridge regression (R², Spearman ρ) and, for the trainable / not-trainable
 * split at the median, logistic regression (ROC AUC). Every prediction of a row comes from
 * models fitted without it.
 *
 * R² scores the held-out predictions as they are. Pooled leave-one-out predictions are biased
 * against ranking measures when a model has little signal: leaving row i out moves the fit
 * away from yᵢ (the intercept alone by −yᵢ/(n−1)), so such a model ranks rows in reverse. So ρ
 * ranks rows by the features' part of each held-out prediction, without the intercept, and
 * under leave-one-out the AUC is estimated by leave-pair-out cross-validation (Airola et al.
 * 2011): fit without one trainable and one untrainable run, and ask whether the model scores
 * the trainable one higher — unbiased, where pooled leave-one-out AUC of a model without
 * signal lands near 0 instead of 0.5. With k folds, the AUC pools the folds' held-out scores.
 * A set with its own regressor (kNN) has no logistic twin: its AUC ranks its predictions
 * (lower predicted metric = trainable), leave-pair-out or pooled folds alike. Its pooled
 * leave-one-out R² and ρ lean below 0 without signal, as the ridge's intercept would: the
 * held-out run's own value is missing from its neighbours' pool.
 *
 * Nested: every regressor chooses its own hyperparameter (ridge α, kNN k) from the training
 * rows of the fold it is fitted in, never from the held-out rows.
 */
import { DEFAULT_FEATURE_OPTIONS, type FeatureOptions } from './spectrum-features.js';
import { Rng } from '../../linalg/random.js';
import { assignFolds, LOO_LIMIT } from './cross-validation.js';
import { featureSets, type FeatureSet } from './feature-sets.js';
import { fitLogistic } from './logistic.js';
import { ridgeRegressor } from './regressor.js';
import type { ReadoutRow } from './rows.js';
import { rocAuc, rSquared, spearman } from './scores.js';
import { SweepError } from '../errors.js';
import { runTransfer, type TransferResult } from './transfer.js';

export interface ReadoutOptions {
  /** 'loo', or a number of folds (default: leave-one-out up to 200 rows, else 10). */
  folds?: number | 'loo';
  /** Seed of the k-fold shuffle. */
  seed?: number;
  features?: FeatureOptions;
  /** The task's chance loss: runs below 90 % of it count as trainable (default, or when that leaves a class empty: the median). */
  chanceLoss?: number;
}

export interface FeatureSetScore {
  /** Feature set, e.g. 'spectrum', 'early loss'. */
  features: string;
  columns: number;
  /** Cross-validated R² of the ridge regression. */
  r2: number;
  /** Spearman ρ of held-out predictions and actual values. */
  spearman: number;
  /** ROC AUC of the logistic regression for "trainable" (metric at or below the median). */
  auc: number;

  /** Median over folds of the regressor's chosen hyperparameter (ridge: α relative to the training rows; kNN: k). */
  hyperparameter: number;
}

export interface ReadoutResult {
  n: number;
  folds: number | 'loo';
  /** How the AUC was cross-validated: pairs left out (leave-one-out mode) or pooled folds. */
  aucMethod: { pairs: number } | 'pooled folds';
  /** Runs with the metric at or below it count as trainable: 90 % of the chance loss, or the median. */
  threshold: number;
  /** How the threshold was set, in words (e.g. 'the median', '90% of the chance loss 4.17'). */
  thresholdRule: string;
  /** R² and ρ over all runs; AUC: whether a run trains. */
  scores: FeatureSetScore[];
  /** Held-out ridge predictions of each row, by feature set. */
  predictions: Record<string, number[]>;
  /** How well among the runs that train: the readout of the trainable runs alone (cross-validated within them), or why there is none. */
  trainable: TrainableReadout | { n: number; note: string };
  /** Fitted on one cell or set of sizes, scored on another (the spectrum on the size-free axis i/n). */
  transfer: TransferResult;
}

export interface TrainableReadout {
  n: number;
  folds: number | 'loo';
  scores: Pick<FeatureSetScore, 'features' | 'columns' | 'r2' | 'spearman' | 'hyperparameter'>[];
}

/** Share of the chance loss below which a run counts as trainable. */
export const CHANCE_SHARE = 0.9;

/** At least this many rows, of both classes, for a readout worth printing. */
export const MIN_ROWS = 8;

/** Leave-pair-out AUC uses every trainable/untrainable pair up to this many, else a seeded sample of them. */
export const MAX_PAIRS = 400;

export function runReadout(rows: readonly ReadoutRow[], options: ReadoutOptions = {}): ReadoutResult {
  if (rows.length < MIN_ROWS) throw new SweepError(`the readout needs at least ${MIN_ROWS} finished runs, got ${rows.length}`);
  const folds = options.folds ?? (rows.length <= LOO_LIMIT ? 'loo' : 10);
  const fold = assignFolds(rows.length, folds, options.seed ?? 0);
  const foldCount = Math.max(...fold) + 1;
  const y = rows.map((row) => row.finalLoss);
  const { threshold, thresholdRule } = trainableThreshold(y, options.chanceLoss);
  const labels = y.map((v) => (v <= threshold ? 1 : 0));
  if (labels.every((l) => l === 1)) throw new SweepError('the metric is the same for every run: nothing to predict');
  const features = options.features ?? DEFAULT_FEATURE_OPTIONS;

  const scores: FeatureSetScore[] = [];
  const predictions: Record<string, number[]> = {};
  const pairs = trainableUntrainablePairs(labels, options.seed ?? 0);
  const loo = foldCount === rows.length;
  for (const set of featureSets(rows, features)) {
    const held = crossValidate(set, rows, y, fold, loo || set.regressor !== undefined ? undefined : labels);
    predictions[set.name] = held.predicted;
    scores.push({
      features: set.name,
      columns: set.columns,
      r2: rSquared(y, held.predicted),
      spearman: spearman(y, held.rank),
      auc: loo ? leavePairOutAuc(set, rows, y, labels, pairs)
        : rocAuc(labels, set.regressor === undefined ? held.logOdds : held.predicted.map((v) => -v)),
      hyperparameter: median(held.hyperparameters),
    });
  }
  const trainable = trainableReadout(rows.filter((_, i) => labels[i] === 1), options.folds, options.seed ?? 0, features);
  const transfer = runTransfer(rows, features);
  return { n: rows.length, folds, aucMethod: loo ? { pairs: pairs.length } : 'pooled folds', threshold, thresholdRule, scores, predictions, trainable, transfer };
}

/** 90 % of the chance loss when given and it leaves runs on both sides, else the median. */
function trainableThreshold(y: readonly number[], chanceLoss: number | undefined): { threshold: number; thresholdRule: string } {
  if (chanceLoss !== undefined) {
    const threshold = CHANCE_SHARE * chanceLoss;
    const rule = `${Math.round(100 * CHANCE_SHARE)}% of the chance loss ${chanceLoss.toFixed(4)}`;
    if (y.some((v) => v <= threshold) && y.some((v) => v > threshold)) return { threshold, thresholdRule: rule };
    return { threshold: median(y), thresholdRule: `the median (${rule} leaves every run on one side)` };
  }
  return { threshold: median(y), thresholdRule: 'the median' };
}

/** The regression readout within the trainable runs alone, with their own folds and feature columns. */
function trainableReadout(rows: readonly ReadoutRow[], folds: number | 'loo' | undefined, seed: number, features: FeatureOptions): ReadoutResult['trainable'] {
  const y = rows.map((row) => row.finalLoss);
  if (rows.length < MIN_ROWS) return { n: rows.length, note: `fewer than ${MIN_ROWS} trainable runs` };
  if (y.every((v) => v === y[0])) return { n: rows.length, note: 'the metric is the same for every trainable run' };
  const within = folds === undefined || folds === 'loo' || folds >= rows.length ? (rows.length <= LOO_LIMIT ? 'loo' : 10) : folds;
  const fold = assignFolds(rows.length, within, seed);
  const scores = featureSets(rows, features).map((set) => {
    const held = crossValidate(set, rows, y, fold);
    return { features: set.name, columns: set.columns, r2: rSquared(y, held.predicted), spearman: spearman(y, held.rank), hyperparameter: median(held.hyperparameters) };
  });
  return { n: rows.length, folds: within, scores };
}

/**
 * Held-out predictions of every row from the set's regressor fitted on the other folds' rows
 * (and, given labels, the logistic log-odds), with the hyperparameter each fold chose.
 */
export function crossValidate(set: FeatureSet, rows: readonly ReadoutRow[], y: readonly number[], fold: readonly number[], labels?: readonly number[]):
  { predicted: number[]; rank: number[]; logOdds: number[]; hyperparameters: number[] } {
  const predicted = new Array<number>(rows.length);
  const rank = new Array<number>(rows.length);
  const logOdds = new Array<number>(rows.length);
  const hyperparameters: number[] = [];
  const regressor = set.regressor ?? ridgeRegressor;
  for (let f = 0; f <= Math.max(...fold); f++) {
    const held = rows.map((_, i) => i).filter((i) => fold[i] === f);
    const kept = rows.map((_, i) => i).filter((i) => fold[i] !== f);
    const { train, test } = set.build(kept.map((i) => rows[i]), held.map((i) => rows[i]));
    const model = regressor(train, kept.map((i) => y[i]));
    hyperparameters.push(model.hyperparameter);
    model.predict(test).forEach((v, k) => (predicted[held[k]] = v));
    model.score(test).forEach((v, k) => (rank[held[k]] = v));
    if (labels) fitLogistic(train, kept.map((i) => labels[i])).score(test).forEach((v, k) => (logOdds[held[k]] = v));
  }
  return { predicted, rank, logOdds, hyperparameters };
}

/** Every (trainable, untrainable) pair of row indices, or a seeded sample of MAX_PAIRS of them. */
function trainableUntrainablePairs(labels: readonly number[], seed: number): [number, number][] {
  const positive = labels.flatMap((l, i) => (l === 1 ? [i] : []));
  const negative = labels.flatMap((l, i) => (l === 0 ? [i] : []));
  const all = positive.flatMap((p) => negative.map((q): [number, number] => [p, q]));
  if (all.length <= MAX_PAIRS) return all;
  const rng = new Rng(seed);
  for (let i = 0; i < MAX_PAIRS; i++) {
    const j = i + rng.int(all.length - i);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, MAX_PAIRS);
}

/**
 * Share of pairs whose trainable run scores above the untrainable one (ties ½), each fitted
 * without its pair: the logistic regression's log-odds, or (a set with its own regressor) its
 * negated prediction of the metric.
 */
function leavePairOutAuc(set: FeatureSet, rows: readonly ReadoutRow[], y: readonly number[], labels: readonly number[], pairs: readonly [number, number][]): number {
  const { regressor } = set;
  // Each pair's logistic fit starts near the full one.
  const warm = regressor === undefined ? fitLogistic(set.build(rows, rows.slice(0, 1)).train, labels).coefficients : undefined;
  let wins = 0;
  for (const [p, q] of pairs) {
    const kept = rows.map((_, i) => i).filter((i) => i !== p && i !== q);
    const { train, test } = set.build(kept.map((i) => rows[i]), [rows[p], rows[q]]);
    const [sp, sq] = regressor === undefined
      ? fitLogistic(train, kept.map((i) => labels[i]), undefined, warm).score(test)
      : regressor(train, kept.map((i) => y[i])).predict(test).map((v) => -v);
    wins += sp > sq ? 1 : sp === sq ? 0.5 : 0;
  }
  return wins / pairs.length;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
