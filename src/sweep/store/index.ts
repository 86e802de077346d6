/**
 * The sweep directory: its layout, the SQLite index and how it is reconciled with the run
 * directories, the run locks, and what is read back from the runs.
 */
export { createSweep, openSweep, type OpenSweep } from './sweep-dir.js';
export { DONE_MARKER } from './layout.js';
export { RunIndex, type RunStatus, type IndexedRun, type StatusCounts } from './run-index.js';
export { tryLock, unlock, readOwner, type LockOwner } from './run-lock.js';
export { reconcile, rebuildIndex, summarizeRun, type RunSummary } from './reconcile.js';
export { loadReadoutData, type LoadOptions } from './readout-data.js';
export { formatRunTable, formatStatus } from './status-text.js';
export { sweepResults, formatResults, loadResultsFile, readResults, RESULTS_METRICS, type ResultLine } from './results-file.js';
