/**
 * Spectrum-guided pruning: successive halving whose rankings come from the early spectrum, the
 * early loss or both; replayed offline on a finished sweep, or applied live (`sweep --prune`).
 */
export { type RunHistory, type CostRule, finalLoss, parseCostRule } from './history.js';
export { readResultsFile } from './results-file.js';
export { readSweepHistories, runHistory, type SweepHistories } from './sweep-histories.js';
export { PRUNE_SIGNALS, type PruneSignal, type PruneModel, fitPruneModel, earlyLossModel, predictFinal, featureNames, MIN_FIT_RUNS } from './predictor.js';
export { simulateHalving, checkPlan, keptCount, type HalvingPlan, type RunOutcome, type Ranking } from './halving.js';
export { replayPruning, STRATEGIES, type ReplayResult, type ReplayOptions, type FitProtocol, type StrategyResult } from './replay.js';
export { formatReplay } from './replay-text.js';
export { modelFile, readModelFile, MODEL_FORMAT, type PruneModelFile } from './model-file.js';
export { PruneError } from './errors.js';
export { replayCurve, CURVE_KEEPS, type CurvePoint } from './replay-curve.js';
export { runPrunedLocalSweep, runPrunedSweep, defaultWarmup, WARMUP_SHARE, type LivePruning, type TrainPhase } from './live.js';
export { runPrunedRedisSweep } from './live-redis.js';
