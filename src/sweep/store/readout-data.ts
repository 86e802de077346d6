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
      const record = readRunRecord(sweep.layout.runDir(run.id));
      const exponents = record.spectra.get(epoch);
      const earlyLoss = metricAt(record.epochs, metricKey(metric), epoch);
      const finalLoss = summaryMetric(record.epochs, metric);
      if (record.done?.diverged !== undefined) leave('training diverged');
      else if (exponents === undefined) leave(`no spectrum at epoch ${epoch}`);
      else if (earlyLoss === undefined || !Number.isFinite(earlyLoss)) leave(`no finite ${metricKey(metric)} at epoch ${epoch}`);
      else if (finalLoss === undefined || !Number.isFinite(finalLoss)) leave(`no finite ${metric}`);
      else rows.push({ id: run.id, params: plainParams(run.params), stateDimension: runStateDimension(sweep.layout.runDir(run.id)), exponents, earlyLoss, finalLoss });
    }
    return { name: sweep.spec.name ?? dir, epoch, metric, rows, excluded };
  } finally {
    sweep.index.close();
  }
}
