/**
 * The run directories are the source of truth; this brings the index in line with them: a run
 * whose directory is marked complete is done (with its features and metrics), a run marked done
 * whose directory lost its marker is queued again, and attempts are counted from the run logs.
 * `rebuildIndex` recreates the index from scratch.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { ATTEMPT_LINE, type SweepLayout } from './layout.js';
import { metricAt, metricKey, readRunRecord, summaryMetric } from './run-record.js';
import { spectrumFeatures } from '../readout/spectrum-features.js';
import type { ReadoutSpec } from '../spec/spec.js';
import type { OpenSweep } from './sweep-dir.js';

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

/**
 * Marks done every run whose directory is complete; re-queues done runs whose directory is not;
 * takes every run's attempts from its log (a process killed just after its run process started
 * training could not count that attempt).
 */
export function reconcile(sweep: OpenSweep): void {
  const { index, layout, spec } = sweep;
  for (const run of index.list()) {
    const attempts = countAttempts(layout, run.id);
    if (attempts !== run.attempts) index.setAttempts(run.id, attempts);
    const complete = existsSync(layout.doneMarker(run.id));
    if (complete && run.status !== 'done') index.markDone(run.id, summarizeRun(layout.runDir(run.id), spec.readout));
    else if (!complete && run.status === 'done') index.markQueued(run.id, 'its run directory is no longer marked complete');
  }
}

/** Deletes the index and recreates it from sweep.json, the run directories and the run logs. */
export function rebuildIndex(sweep: OpenSweep, reopen: () => OpenSweep): OpenSweep {
  sweep.index.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${sweep.layout.indexFile}${suffix}`, { force: true });
  const fresh = reopen();
  reconcile(fresh);
  return fresh;
}

/** Attempts at a run: the times its log says a process took the run and started training. */
export function countAttempts(layout: SweepLayout, id: string): number {
  const log = layout.logFile(id);
  if (!existsSync(log)) return 0;
  return readFileSync(log, 'utf8').split('\n').filter((line) => line.startsWith(ATTEMPT_LINE)).length;
}

/** Sets the index's attempts of a run from its log (after its run process said it started); returns them. */
export function recordAttempts(sweep: OpenSweep, id: string): number {
  const attempts = countAttempts(sweep.layout, id);
  sweep.index.setAttempts(id, attempts);
  return attempts;
}
