/**
 * What `analyze --json` exports: the rows the sweep plots draw (the shape of
 * src/report/data/sweep-data.ts's SweepData: params, features, spectrum, finalLoss, predicted),
 * plus the readout scores.
 */
import { DEFAULT_FEATURE_OPTIONS, resampleSpectrum, spectrumFeatures, type FeatureOptions } from './spectrum-features.js';
import type { ReadoutResult } from './readout.js';
import type { ReadoutData } from './rows.js';

/** The feature set whose held-out predictions go with the rows for plotting. */
export const PLOTTED_SET = 'spectrum';

export interface PlotRow {
  id: string;
  params: Record<string, number | string>;
  /** Scalar spectrum features at the early epoch, and the early loss. */
  features: Record<string, number>;
  /** The early spectrum resampled to the readout's common length. */
  spectrum: number[];
  finalLoss: number;
  /** Held-out prediction of finalLoss from the spectrum. */
  predicted?: number;
  status: 'done';
}

export interface ReadoutExport {
  name: string;
  target: string;
  featureEpoch: number;
  rows: PlotRow[];
  /** R² and ρ over all runs; AUC: whether a run trains (metric ≤ threshold). */
  readout: { features: string; r2: number; spearman: number; auc: number }[];
  threshold: { value: number; rule: string };
  /** How well among the runs that train: R² and ρ within them, or why there is no such readout. */
  trainable: { n: number; readout: { features: string; r2: number; spearman: number }[] } | { n: number; note: string };
  /** Fitted on one cell or set of sizes, scored on another. */
  transfer: ReadoutResult['transfer'];
  excluded: ReadoutData['excluded'];
}

export function readoutExport(data: ReadoutData, result: ReadoutResult, options: FeatureOptions = DEFAULT_FEATURE_OPTIONS): ReadoutExport {
  const predicted = result.predictions[PLOTTED_SET];
  return {
    name: data.name,
    target: data.metric.replace(/_/g, ' '),
    featureEpoch: data.epoch,
    rows: data.rows.map((row, i) => ({
      id: row.id,
      params: row.params,
      features: { ...spectrumFeatures(row.exponents, options), earlyLoss: row.earlyLoss },
      spectrum: resampleSpectrum(row.exponents, options.resampleLength),
      finalLoss: row.finalLoss,
      ...(predicted ? { predicted: predicted[i] } : {}),
      status: 'done' as const,
    })),
    readout: result.scores.map(({ features, r2, spearman, auc }) => ({ features, r2, spearman, auc })),
    threshold: { value: result.threshold, rule: result.thresholdRule },
    trainable: 'scores' in result.trainable
      ? { n: result.trainable.n, readout: result.trainable.scores.map(({ features, r2, spearman }) => ({ features, r2, spearman })) }
      : result.trainable,
    transfer: result.transfer,
    excluded: data.excluded,
  };
}
