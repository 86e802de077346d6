/** `watch`: spectra of the checkpoints another training loop saves, recorded as a run (see watch-checkpoints.ts). */
export { watchCheckpoints, DEFAULT_CHECKPOINT_PATTERN, type WatchCheckpointsOptions, type WatchEvent, type WatchResult } from './watch-checkpoints.js';
export { fileNameMatcher } from './file-pattern.js';
export { checkpointScalars, numberInName, type CheckpointFile, type CheckpointScalars } from './checkpoint-file.js';
