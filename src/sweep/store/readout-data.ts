/**
 * The readout's rows of a sweep, read from its run directories (the source of truth), after
 * bringing the index in line with them.
 */
import type { ReadoutData, ReadoutRow } from '../readout/rows.js';
import { reconcile } from './reconcile.js';
import { metricAt, metricKey, plainParams, readRunRecord, runStateDimension, summaryMetric } from './run-record.js';
import { openSweep } from './sweep-dir.js';

export interface LoadOptions {
  /** Early epoch (default: the spec's readout epoch). */
  epoch?: number;
  /** `final_<key>` or `best_<key>` (default: the spec's readout metric). */
  metric?: string;
}

export function loadReadoutData(dir: string, options: LoadOptions = {}): ReadoutData {
  const sweep = openSweep(dir);
  try {
    reconcile(sweep);
    const epoch = options.epoch ?? sweep.spec.readout.epoch;
    const metric = options.metric ?? sweep.spec.readout.metric;
    const rows: ReadoutRow[] = [];
    const excluded: ReadoutData['excluded'] = [];
    for (const run of sweep.index.list()) {
      const leave = (reason: string) => excluded.push({ id: run.id, reason });
      if (run.status !== 'done') {
        leave(`status ${run.status}`);
        continue;
      }
      const runDir = sweep.layout.runDir(run.id);
      const record = readRunRecord(runDir);
      const row = readoutRow({ id: run.id, params: plainParams(run.params), ...record, diverged: record.done?.diverged !== undefined }, epoch, metric);
      // The config is read only for runs that enter: a run directory may lack one (a damaged run).
      if (typeof row === 'string') leave(row);
      else rows.push({ ...row, stateDimension: runStateDimension(runDir) });
    }
    return { name: sweep.spec.name ?? dir, epoch, metric, rows, excluded };
  } finally {
    sweep.index.close();
  }
}

/** What the readout needs of one run: its per-epoch metrics (epoch 0 at initialisation) and spectra. */
export interface RunHistoryRecord {
  id: string;
  params: Record<string, number | string>;
  epochs: readonly Record<string, unknown>[];
  spectra: ReadonlyMap<number, number[]>;
  diverged: boolean;
}

/** The run's readout row at `epoch` for `metric` (final_<key> or best_<key>), without its state dimension, or why it cannot enter. */
export function readoutRow(run: RunHistoryRecord, epoch: number, metric: string): Omit<ReadoutRow, 'stateDimension'> | string {
  const exponents = run.spectra.get(epoch);
  const earlyLoss = metricAt(run.epochs, metricKey(metric), epoch);
  const finalLoss = summaryMetric(run.epochs, metric);
  if (run.diverged) return 'training diverged';
  if (exponents === undefined) return `no spectrum at epoch ${epoch}`;
  if (earlyLoss === undefined || !Number.isFinite(earlyLoss)) return `no finite ${metricKey(metric)} at epoch ${epoch}`;
  if (finalLoss === undefined || !Number.isFinite(finalLoss)) return `no finite ${metric}`;
  return { id: run.id, params: run.params, exponents, earlyLoss, finalLoss };
}
