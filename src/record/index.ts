/**
 * The record of a training run: its directory (config, logs, checkpoints; atomic, crash-safe),
 * the schema of its log lines, and typed readers; `watch`, which records the spectra of checkpoints
 * another training loop saves. Written by `train` and `watch`; read by `sweep`, `report`
 * and the CLI, which import it from here, never from `train`.
 */
export {
  RunDirectory, openRun, listCheckpoints, latestCheckpoint, readConfig, readLog, readRunFile, RUN_FILES, RUN_LOGS,
  type Checkpoint, type CheckpointInput, type OpenRunOptions, type RunLog,
} from './run-directory.js';
export { readMetrics, readSpectra } from './readers.js';
export { EPOCH_METRICS_FIELDS, type EpochMetrics, type TrainedEpochMetrics, type SpectrumRecord } from './schema.js';
export { encodeJson, decodeJson, jsonLine, readJsonl, truncateJsonl } from './jsonl.js';
export { RunBusyError, RunDirError, RunFileError, RunLogError, WatchError } from './errors.js';
export { tryLock, unlock, readOwner, holdLock, DEFAULT_STALE_MS, type LockOwner, type HeldLock } from './run-lock.js';
export {
  watchCheckpoints, fileNameMatcher, checkpointScalars, numberInName, DEFAULT_CHECKPOINT_PATTERN,
  type WatchCheckpointsOptions, type WatchEvent, type WatchResult, type CheckpointFile, type CheckpointScalars,
} from './watch/index.js';
