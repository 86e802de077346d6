/**
 * The sweep directory: its layout, the SQLite index and how it is reconciled with the run
 * directories, the run locks, and what is read back from the runs.
 */
export { createSweep, openSweep, type OpenSweep } from './sweep-dir.js';
export { sweepLayout, DONE_MARKER, type SweepLayout, type DoneMarker } from './layout.js';
export { RunIndex, RUN_STATUSES, type RunStatus, type IndexedRun } from './run-index.js';
export { tryLock, unlock, readOwner, DEFAULT_STALE_MS, type LockOwner } from './run-lock.js';
export { reconcile, rebuildIndex, summarizeRun, type RunSummary } from './reconcile.js';
export { readRunRecord, summaryMetric, metricAt, metricKey, type RunRecord } from './run-record.js';
export { loadReadoutData, type LoadOptions } from './readout-data.js';
export { formatStatus } from './status-text.js';
