/**
 * The lines of a run's two logs, as the training loop writes them and every reader (reports,
 * sweeps, the CLI) reads them back: one schema, checked by `readMetrics` and `readSpectra`.
 * Non-finite numbers (a diverged loss) survive the round trip (see jsonl.ts).
 */
import type { ModelSpectrumResult } from '../model-spectrum/index.js';

/** One line of metrics.jsonl: the state of training after an epoch (epoch 0: at initialisation). */
export type EpochMetrics = {
  epoch: number;
  /** Optimizer steps taken so far. */
  step: number;
  /** Learning rate used during this epoch (epoch 0: the base rate); null where not known (a run `watch` recorded from checkpoints). */
  lr: number | null;
  /** Mean training loss over the epoch's batches (null at epoch 0). */
  trainLoss: number | null;
  /** Mean and largest gradient norm before clipping, and the share of steps clipped (null at epoch 0). */
  gradNorm: number | null;
  gradNormMax: number | null;
  clippedFraction: number | null;
  /** Validation loss; null where not known (a checkpoint `watch` read stored none). */
  valLoss: number | null;
  /** Share of validation positions predicted right (cross-entropy tasks; null for MSE). */
  valAccuracy: number | null;
  /** Spectrum summary when one was taken at this epoch (λ₁…λ_k, nats/step), else null. */
  lambda: number[] | null;
  kaplanYorke: number | null;
  entropy: number | null;
  /** Wall-clock seconds of the epoch's training (0 at epoch 0); null where not known (`watch`). */
  seconds: number | null;
  /**
   * Runs with gradient flossing only: the mean flossing loss Σ(λ_i − target)² over the updates
   * before this epoch's batches, and the exponents (sorted, nats/step) the last of them saw; null
   * in epochs without flossing updates.
   */
  flossLoss?: number | null;
  flossLambda?: number[] | null;
};

/** A metrics line the training loop writes: it knows everything it logs. */
export type TrainedEpochMetrics = EpochMetrics & { lr: number; valLoss: number; seconds: number };

/** One line of spectra.jsonl. `scope` 'epoch': after an epoch; 'step': the cheap per-step probe. */
export type SpectrumRecord = {
  scope: 'epoch' | 'step';
  epoch: number;
  step: number;
  /** Wall-clock seconds the spectrum took (what spectra add to a run's time); absent in runs recorded before it was logged, and in `watch`'s. */
  seconds?: number;
  /** The full result, or null with the reason it could not be computed (e.g. a diverging state). */
  spectrum: ModelSpectrumResult | null;
  error?: string;
  /** The checkpoint file the spectrum was taken of (a run `watch` records). */
  checkpoint?: string;
};

export type FieldKind = 'count' | 'number' | 'number?' | 'numbers?';

/** The fields every metrics line has, and what each holds ('?': or null). */
export const EPOCH_METRICS_FIELDS: Readonly<Record<Exclude<keyof EpochMetrics, 'flossLoss' | 'flossLambda'>, FieldKind>> = {
  epoch: 'count', step: 'count', lr: 'number?', trainLoss: 'number?', gradNorm: 'number?', gradNormMax: 'number?',
  clippedFraction: 'number?', valLoss: 'number?', valAccuracy: 'number?', lambda: 'numbers?', kaplanYorke: 'number?',
  entropy: 'number?', seconds: 'number?',
};

/** Fields only some runs' lines have (flossing runs), checked where present. */
export const OPTIONAL_EPOCH_METRICS_FIELDS: Readonly<Record<'flossLoss' | 'flossLambda', FieldKind>> = { flossLoss: 'number?', flossLambda: 'numbers?' };

/** What is wrong with `value` as a field of this kind, or undefined when it fits. */
export function fieldProblem(kind: FieldKind, value: unknown): string | undefined {
  const isNumber = (v: unknown) => typeof v === 'number';
  switch (kind) {
    case 'count': return Number.isSafeInteger(value) && (value as number) >= 0 ? undefined : 'an integer ≥ 0';
    case 'number': return isNumber(value) ? undefined : 'a number';
    case 'number?': return value === null || isNumber(value) ? undefined : 'a number or null';
    case 'numbers?': return value === null || (Array.isArray(value) && value.every(isNumber)) ? undefined : 'an array of numbers or null';
  }
}
