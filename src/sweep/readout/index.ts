/**
 * The stability readout: spectrum features, and how well they predict a sweep's final metric
 * (cross-validated ridge and logistic regression), printed as a table or exported for the plots.
 */
export { runReadout, MIN_ROWS, type ReadoutOptions, type ReadoutResult, type FeatureSetScore } from './readout.js';
export type { ReadoutRow, ReadoutData } from './rows.js';
export { readoutExport, PLOTTED_SET, type ReadoutExport, type PlotRow } from './export.js';
export { formatReadout } from './readout-text.js';
export {
  spectrumFeatures, resampleSpectrum, DEFAULT_FEATURE_OPTIONS, EXPONENT_FLOOR, SCALAR_FEATURES,
  type FeatureOptions, type ScalarFeature,
} from './spectrum-features.js';
export { assignFolds } from './cross-validation.js';
export { fitRidge, type RidgeModel } from './ridge.js';
export { fitLogistic, type ClassifierModel } from './logistic.js';
export { rSquared, spearman, rocAuc, ranks } from './scores.js';
export { Standardizer } from './standardize.js';
