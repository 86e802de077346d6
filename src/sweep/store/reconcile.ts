/**
 * The run directories, run logs and run locks are the source of truth; this brings the index in
 * line with them: a run whose directory is marked complete is done (with its features and
 * metrics); one marked pruned is pruned; one whose lock a live process holds is running; one that used up its attempts
 * (counted from its log) is failed; any other is queued. `rebuildIndex` recreates the index
 * from scratch the same way.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { PrunedMarker } from './layout.js';
import { metricAt, metricKey, readRunRecord, summaryMetric } from './run-record.js';
import { attemptHistory, resetAttempts } from './run-log.js';
import { isHeld, isLiveHere, readOwner } from './run-lock.js';
import { spectrumFeatures } from '../readout/spectrum-features.js';
import type { ReadoutSpec } from '../spec/spec.js';
import { readSweep, openIndex, type OpenSweep } from './sweep-dir.js';

export interface RunSummary {
  features: Record<string, number> | null;
  metrics: Record<string, number> | null;
}

/** Features at the readout epoch and summary metrics of a complete run directory. */
export function summarizeRun(dir: string, readout: ReadoutSpec): RunSummary {
  const record = readRunRecord(dir);
  const spectrum = record.spectra.get(readout.epoch);
  const metrics: Record<string, number> = { epochs: Math.max(0, ...record.epochs.map((r) => Number(r.epoch))) };
  const final = summaryMetric(record.epochs, readout.metric);
  if (final !== undefined) metrics[readout.metric] = final;
  const early = metricAt(record.epochs, metricKey(readout.metric), readout.epoch);
  if (early !== undefined) metrics[`${metricKey(readout.metric)}@${readout.epoch}`] = early;
  if (record.done?.diverged !== undefined) metrics.diverged = 1;
  return { features: spectrum === undefined ? null : spectrumFeatures(spectrum), metrics };
}

/** Sets every run's status and attempts from its directory, lock and log. */
export function reconcile(sweep: OpenSweep): void {
  const { index, layout, spec } = sweep;
  for (const run of index.list()) {
    const { counted, lastError } = attemptHistory(layout, run.id);
    if (counted !== run.attempts) index.setAttempts(run.id, counted);
    const lock = layout.lockFile(run.id);
    if (existsSync(layout.doneMarker(run.id))) {
      if (run.status !== 'done') index.markDone(run.id, summarizeRun(layout.runDir(run.id), spec.readout));
    } else if (existsSync(layout.prunedMarker(run.id))) {
      if (run.status !== 'pruned') index.markPruned(run.id, readPrunedReason(layout.prunedMarker(run.id)));
    } else if (isHeld(lock)) {
      const owner = readOwner(lock);
      if (run.status !== 'running') index.markRunning(run.id, owner === undefined ? 'unknown' : `${owner.host}:${owner.pid}`);
    } else if (counted >= spec.maxAttempts) {
      if (run.status !== 'failed') index.markFailed(run.id, lastError ?? 'failed');
    } else if (run.status === 'done') {
      index.markQueued(run.id, 'its run directory is no longer marked complete');
    } else if (run.status === 'failed' || (run.status === 'running' && !startingHere(run.worker))) {
      index.markQueued(run.id);
    }
  }
}

/** The reason a pruned marker gives (a marker that cannot be read still marks the run pruned). */
function readPrunedReason(file: string): string {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as PrunedMarker).reason;
  } catch {
    return `pruned (${file} unreadable)`;
  }
}

/** A run this host's sweep marked running whose process has not taken the lock yet (it is loading). */
function startingHere(worker: string | null): boolean {
  const match = worker === null ? null : /^(.*):(\d+)$/.exec(worker);
  return match !== null && isLiveHere(match[1], Number(match[2])) === true;
}

/**
 * Starting a sweep again gives its failed runs a fresh set of attempts (as re-running a command
 * that failed tries again); returns how many runs it freed.
 */
export function freeFailedRuns(sweep: OpenSweep): number {
  let freed = 0;
  for (const run of sweep.runs) {
    if (existsSync(sweep.layout.doneMarker(run.id))) continue;
    if (attemptHistory(sweep.layout, run.id).counted < sweep.spec.maxAttempts) continue;
    resetAttempts(sweep.layout, run.id, 'the sweep was started again');
    freed++;
  }
  return freed;
}

/** Deletes the index (readable or not) and recreates it from sweep.json and the run directories, logs and locks. */
export function rebuildIndex(dir: string): OpenSweep {
  const sweep = readSweep(dir);
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${sweep.layout.indexFile}${suffix}`, { force: true });
  const opened = { ...sweep, index: openIndex(sweep) };
  reconcile(opened);
  return opened;
}

/** Sets the index's attempts of a run from its log; returns them. */
export function recordAttempts(sweep: OpenSweep, id: string): number {
  const { counted } = attemptHistory(sweep.layout, id);
  sweep.index.setAttempts(id, counted);
  return counted;
}
