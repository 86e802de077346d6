/**
 * What the sweep views plot: a plain table the sweep store adapts to (src/sweep), so the plots
 * do not depend on how runs are stored or scheduled.
 */
export interface SweepRow {
  /** The run's id (hash of its resolved configuration). */
  id?: string;
  /** Hyperparameters, e.g. { cell: 'lstm', initScale: 0.5, lr: 0.002, seed: 3 }. */
  params: Readonly<Record<string, number | string>>;
  /** Spectrum features at the early epoch, e.g. { lambda1: 0.01, kaplanYorke: 12.3, entropy: 0.4 }. */
  features: Readonly<Record<string, number>>;
  /** The early spectrum itself, resampled to a common length across runs (for the PCA view). */
  spectrum?: readonly number[];
  /** The metric being predicted, e.g. final validation loss. */
  finalLoss?: number;
  /** The readout's cross-validated prediction of finalLoss. */
  predicted?: number;
  /** done | running | failed | queued … */
  status?: string;
}

/** One line of the readout table: a feature set (or baseline) and its cross-validated scores. */
export interface ReadoutScore {
  /** e.g. 'spectrum', 'early loss', 'hyperparameters', 'spectrum + early loss'. */
  features: string;
  /** Cross-validated coefficient of determination of the regression. */
  r2?: number;
  /** Spearman rank correlation of predicted and actual. */
  spearman?: number;
  /** ROC AUC of the trainable / not-trainable classification. */
  auc?: number;
}

export interface SweepData {
  name: string;
  /** The sweep's specification as given (shown as the configuration). */
  config?: unknown;
  /** How the runs were chosen: on a grid (drawn as a heatmap) or at random (drawn as points); unknown: judged from the runs. */
  method?: 'grid' | 'random';
  rows: readonly SweepRow[];
  /** Name of the predicted metric, for axis titles. Default 'final loss'. */
  target?: string;
  /** Epoch at which the spectrum features were taken. */
  featureEpoch?: number;
  readout?: readonly ReadoutScore[];
  /** The feature set (a `readout` entry) whose predictions fill the rows' `predicted`. Default 'spectrum'. */
  predictedFrom?: string;
  /** Why there is no readout yet (e.g. too few finished runs). */
  readoutNote?: string;
}

/** Count of runs by status, e.g. { done: 12, running: 2 }. */
export function statusCounts(rows: readonly SweepRow[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) {
    const status = row.status ?? 'unknown';
    counts[status] = (counts[status] ?? 0) + 1;
  }
  return counts;
}
