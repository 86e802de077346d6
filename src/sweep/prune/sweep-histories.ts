/**
 * Run histories from a sweep directory: every finished run, in the sweep's order, read from its
 * run directory (metrics.jsonl, spectra.jsonl); runs not finished are listed with why.
 */
import { DEFAULT_TRAIN_CONFIG } from '../../train/config.js';
import { reconcile } from '../store/reconcile.js';
import { readRunRecord } from '../store/run-record.js';
import { plainParams } from '../store/run-record.js';
import { openSweep, type OpenSweep } from '../store/sweep-dir.js';
import type { IndexedRun } from '../store/run-index.js';
import { epochCostOf, type CostRule, type RunHistory } from './history.js';

export interface SweepHistories {
  name: string;
  runs: RunHistory[];
  excluded: { id: string; reason: string }[];
}

export function readSweepHistories(dir: string, cost?: CostRule): SweepHistories {
  const sweep = openSweep(dir);
  try {
    reconcile(sweep);
    const runs: RunHistory[] = [];
    const excluded: SweepHistories['excluded'] = [];
    for (const run of sweep.index.list()) {
      if (run.status === 'done') runs.push(runHistory(sweep, run, cost));
      else excluded.push({ id: run.id, reason: `status ${run.status}` });
    }
    return { name: sweep.spec.name ?? dir, runs, excluded };
  } finally {
    sweep.index.close();
  }
}

/** The history of an indexed run, as far as its run directory goes. */
export function runHistory(sweep: OpenSweep, run: IndexedRun, cost?: CostRule): RunHistory {
  const record = readRunRecord(sweep.layout.runDir(run.id));
  const byEpoch = new Map(record.epochs.map((r) => [Number(r.epoch), r.valLoss]));
  const last = Math.max(0, ...byEpoch.keys());
  const losses = Array.from({ length: last + 1 }, (_, e) => {
    const loss = byEpoch.get(e);
    return typeof loss === 'number' ? loss : NaN;
  });
  const plannedEpochs = typeof run.config.epochs === 'number' ? run.config.epochs : DEFAULT_TRAIN_CONFIG.epochs;
  return { id: run.id, params: plainParams(run.params), losses, spectra: record.spectra, plannedEpochs, epochCost: epochCostOf(cost, { ...run.config, ...run.params }, sweep.layout.runDir(run.id)) };
}
