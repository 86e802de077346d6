/**
 * The stability readout: spectrum features, and how well they predict a sweep's final metric
 * (cross-validated ridge and logistic regression), printed as a table or exported for the plots.
 */
export { runReadout, crossValidate, type ReadoutOptions, type ReadoutResult } from './readout.js';
export { featureSets, type FeatureSet } from './feature-sets.js';
export { fitKnn } from './knn.js';
export { ridgeRegressor, type Regressor, type FittedRegressor } from './regressor.js';
export type { ReadoutRow, ReadoutData } from './rows.js';
export { readoutExport, PLOTTED_SET, type ReadoutExport } from './export.js';
export { formatReadout } from './readout-text.js';
export { spectrumFeatures, resampleSpectrum, EXPONENT_FLOOR, type FeatureOptions } from './spectrum-features.js';
export { assignFolds } from './cross-validation.js';
export { fitRidge } from './ridge.js';
export { fitLogistic } from './logistic.js';
export { rSquared, spearman, rocAuc, ranks } from './scores.js';
export { Standardizer } from './standardize.js';
export { runTransfer, sizeFreeSpectrum, type TransferResult, type TransferSplit } from './transfer.js';
