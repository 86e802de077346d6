/**
 * The readout's data, one row per finished run: its hyperparameters, its spectrum at the early
 * epoch, its validation loss at that epoch, and the metric to predict (read from a sweep by
 * store/readout-data.ts); runs that cannot enter are listed with why.
 */

export interface ReadoutRow {
  id: string;
  /** Swept hyperparameters (booleans as strings; nulls left out). */
  params: Record<string, number | string>;
  /** Dimension n of the state whose spectrum was taken: the exponents sit at i/n on the size-free axis. */
  stateDimension?: number;
  /** λ₁ ≥ λ₂ ≥ … at the early epoch, nats/step. */
  exponents: number[];
  /** The predicted metric's key at the early epoch (e.g. valLoss after epoch 1). */
  earlyLoss: number;
  /** The metric to predict (e.g. final validation loss). */
  finalLoss: number;
}

export interface ReadoutData {
  name: string;
  epoch: number;
  metric: string;
  rows: ReadoutRow[];
  excluded: { id: string; reason: string }[];
}
