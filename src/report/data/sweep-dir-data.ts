import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadReadoutData, openSweep, reconcile } from '../../sweep/store/index.js';
import { SweepError } from '../../sweep/errors.js';
import { PLOTTED_SET, readoutExport, runReadout } from '../../sweep/readout/index.js';
import type { ReadoutScore, SweepData, SweepRow } from './sweep-data.js';

/** Whether `dir` is a sweep directory (src/sweep/store/layout.ts: it holds sweep.json). */
export function isSweepDirectory(dir: string): boolean {
  return existsSync(join(dir, 'sweep.json'));
}

/**
 * A sweep directory as the sweep views' table, from its index: each run's status,
 * hyperparameters, spectrum features and readout metric. The index is first brought up to date
 * from the run directories, as `sweep status` does: Redis and claim workers do not write it.
 */
export function sweepIndexData(dir: string): SweepData {
  const sweep = openSweep(dir);
  try {
    reconcile(sweep);
    const { spec, layout } = sweep;
    const rows = sweep.index.list().map((run): SweepRow => {
      const params: Record<string, number | string> = Object.fromEntries(
        Object.entries(run.params).filter((e): e is [string, number | string] => typeof e[1] === 'number' || typeof e[1] === 'string'),
      );
      const row: SweepRow = { id: run.id, status: run.status, params: withInitScale(params), features: run.features ?? {} };
      const finalLoss = run.metrics?.[spec.readout.metric];
      if (finalLoss !== undefined) row.finalLoss = finalLoss;
      return row;
    });
    return {
      name: spec.name ?? basename(layout.root), config: spec, method: spec.method, rows,
      target: spec.readout.metric.replace(/_/g, ' '), featureEpoch: spec.readout.epoch,
    };
  } finally {
    sweep.index.close();
  }
}

/** The readout of a sweep's finished runs (`analyze`), or why there is none yet. */
export type SweepReadout =
  | { rows: SweepRow[]; scores: ReadoutScore[]; predictedFrom: string }
  | { missing: string };

/** Runs `analyze`'s cross-validated readout on the finished runs (seconds for a hundred runs). */
export function sweepReadout(dir: string): SweepReadout {
  const data = loadReadoutData(dir);
  try {
    const exported = readoutExport(data, runReadout(data.rows));
    return {
      rows: exported.rows.map((row) => ({ ...row, params: withInitScale(row.params) })),
      scores: exported.readout,
      predictedFrom: PLOTTED_SET,
    };
  } catch (error) {
    // runReadout refuses too few runs, or a metric that is the same for all.
    if (error instanceof SweepError) return { missing: error.message };
    throw error;
  }
}

/** The index table with the readout's rows (early-epoch features, spectrum, prediction) in place of finished runs. */
export function withReadout(sweep: SweepData, readout: SweepReadout): SweepData {
  if ('missing' in readout) return { ...sweep, readoutNote: readout.missing };
  const analysed = new Map(readout.rows.map((row) => [row.id, row]));
  return {
    ...sweep,
    rows: sweep.rows.map((row) => {
      const done = row.id === undefined ? undefined : analysed.get(row.id);
      return done ? { ...done, status: row.status ?? 'done' } : row;
    }),
    readout: readout.scores,
    predictedFrom: readout.predictedFrom,
  };
}

/** The finished runs, as a key that changes exactly when the readout could. */
export function finishedRunsKey(sweep: SweepData): string {
  return sweep.rows.filter((r) => r.status === 'done').map((r) => r.id).join(',');
}

export function sweepDataFromDirectory(dir: string): SweepData {
  return withReadout(sweepIndexData(dir), sweepReadout(dir));
}

/** An init given as 'uniform:0.3' or 'normal:1.5' also enters as its numeric scale, for the heatmap. */
function withInitScale(params: Record<string, number | string>): Record<string, number | string> {
  const init = /^(?:uniform|normal):(.+)$/.exec(String(params['init'] ?? ''));
  return init && Number.isFinite(Number(init[1])) ? { ...params, initScale: Number(init[1]) } : params;
}
