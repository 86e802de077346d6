/**
 * What ranks runs at a rung: a prediction of each run's final loss from what is known after the
 * rung's epoch — its spectrum (the readout's summary features and the resampled spectrum), its
 * validation loss, or both. Spectrum models are the readout's ridge regression fitted on runs
 * that finished; the early loss alone needs no fit (a lower loss now ranks higher, as successive
 * halving does). A fitted model is kept as an affine map of the raw features (intercept and
 * weights), so it can be written to a file and applied to another sweep.
 */
import { Matrix } from 'ml-matrix';
import { fitRidge, resampleSpectrum, spectrumFeatures } from '../readout/index.js';
import { PruneError } from './errors.js';
import { finalLoss, type RunHistory } from './history.js';

export const PRUNE_SIGNALS = ['spectrum', 'loss', 'both'] as const;
export type PruneSignal = (typeof PRUNE_SIGNALS)[number];

/** Length of the resampled spectrum among the features (the readout's default). */
const RESAMPLED = 16;

/** At least this many finished runs to fit a model on. */
export const MIN_FIT_RUNS = 8;

export interface PruneModel {
  signal: PruneSignal;
  /** The epoch whose spectrum and loss it reads. */
  epoch: number;
  /** Names of the features, in the order of `weights`. */
  features: string[];
  intercept: number;
  weights: number[];
  /** Runs it was fitted on (0: the early loss as it is, nothing fitted). */
  fittedOn: number;
  /** The ridge penalty chosen on those runs, relative to their number (null when nothing was fitted). */
  alpha: number | null;
}

/** The features `signal` reads from a run after `epoch`, or undefined when the run has none there (no spectrum, a non-finite loss). */
export function signalFeatures(signal: PruneSignal, run: RunHistory, epoch: number): number[] | undefined {
  const loss = run.losses[epoch];
  const exponents = run.spectra.get(epoch);
  if (signal !== 'spectrum' && (loss === undefined || !Number.isFinite(loss))) return undefined;
  if (signal === 'loss') return [loss!];
  if (exponents === undefined || exponents.length === 0 || exponents.some(Number.isNaN)) return undefined;
  const spectrum = [...Object.values(spectrumFeatures(exponents)), ...resampleSpectrum(exponents, RESAMPLED)];
  return signal === 'spectrum' ? spectrum : [...spectrum, loss!];
}

/** The names of the features `signal` reads, in order. */
export function featureNames(signal: PruneSignal): string[] {
  const spectrum = [...Object.keys(spectrumFeatures([0])), ...Array.from({ length: RESAMPLED }, (_, j) => `λ(${j}/${RESAMPLED - 1})`)];
  const loss = 'valLoss';
  return signal === 'loss' ? [loss] : signal === 'spectrum' ? spectrum : [...spectrum, loss];
}

/** The early loss as the prediction: no fit, the ranking successive halving uses. */
export function earlyLossModel(epoch: number): PruneModel {
  return { signal: 'loss', epoch, features: featureNames('loss'), intercept: 0, weights: [1], fittedOn: 0, alpha: null };
}

/**
 * The readout's ridge regression of final loss on the signal's features after `epoch`, fitted
 * on the finished runs given (those with the features and a finite final loss).
 */
export function fitPruneModel(signal: PruneSignal, epoch: number, finished: readonly RunHistory[]): PruneModel {
  const rows = finished.flatMap((run) => {
    const x = signalFeatures(signal, run, epoch);
    const y = finalLoss(run);
    return x !== undefined && Number.isFinite(y) ? [{ x, y }] : [];
  });
  if (rows.length < MIN_FIT_RUNS) {
    throw new PruneError(`pruning on ${signal} after epoch ${epoch} needs at least ${MIN_FIT_RUNS} finished runs with a spectrum there to fit on, got ${rows.length}`);
  }
  const ridge = fitRidge(new Matrix(rows.map((r) => r.x)), rows.map((r) => r.y));
  // The fit is affine in the raw features: its value at 0 and along each unit vector give it exactly.
  const columns = rows[0]!.x.length;
  const probes = new Matrix([new Array<number>(columns).fill(0), ...Array.from({ length: columns }, (_, j) => unit(columns, j))]);
  const [intercept, ...along] = ridge.predict(probes);
  return { signal, epoch, features: featureNames(signal), intercept: intercept!, weights: along.map((v) => v - intercept!), fittedOn: rows.length, alpha: ridge.alpha };
}

/** The model's predicted final loss of a run, or undefined when the run lacks its features. */
export function predictFinal(model: PruneModel, run: RunHistory): number | undefined {
  const x = signalFeatures(model.signal, run, model.epoch);
  return x === undefined ? undefined : x.reduce((sum, v, j) => sum + v * model.weights[j]!, model.intercept);
}

function unit(length: number, at: number): number[] {
  const v = new Array<number>(length).fill(0);
  v[at] = 1;
  return v;
}
