import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { openSweep } from '../sweep/sweep-dir.js';
import { readRunRecord } from '../sweep/run-record.js';
import { resampleSpectrum, DEFAULT_FEATURE_OPTIONS } from '../sweep/spectrum-features.js';
import type { SweepData, SweepRow } from './sweep-data.js';

/** Whether `dir` is a sweep directory (src/sweep/layout.ts: it holds sweep.json). */
export function isSweepDirectory(dir: string): boolean {
  return existsSync(join(dir, 'sweep.json'));
}

/**
 * A sweep directory as the sweep views' table: status, hyperparameters, spectrum features and
 * the readout metric of each run from the sweep's index; with `spectra`, each finished run's
 * spectrum at the readout epoch, resampled to the readout's common length (for the PCA view).
 */
export function sweepDataFromDirectory(dir: string, options: { spectra?: boolean } = {}): SweepData {
  const sweep = openSweep(dir);
  try {
    const { spec, layout } = sweep;
    const rows = sweep.index.list().map((run): SweepRow => {
      const params: Record<string, number | string> = Object.fromEntries(
        Object.entries(run.params).filter((e): e is [string, number | string] => typeof e[1] === 'number' || typeof e[1] === 'string'),
      );
      // An init given as 'uniform:0.3' or 'normal:1.5' also enters as its numeric scale, for the heatmap.
      const init = /^(?:uniform|normal):(.+)$/.exec(String(params['init'] ?? ''));
      if (init && Number.isFinite(Number(init[1]))) params['initScale'] = Number(init[1]);
      const row: SweepRow = { id: run.id, status: run.status, params, features: run.features ?? {} };
      const finalLoss = run.metrics?.[spec.readout.metric];
      if (finalLoss !== undefined) row.finalLoss = finalLoss;
      if (options.spectra && run.status === 'done') {
        const exponents = readRunRecord(layout.runDir(run.id)).spectra.get(spec.readout.epoch);
        if (exponents) row.spectrum = resampleSpectrum(exponents, DEFAULT_FEATURE_OPTIONS.resampleLength);
      }
      return row;
    });
    return {
      name: spec.name ?? basename(layout.root), config: spec, rows,
      target: spec.readout.metric.replace(/_/g, ' '), featureEpoch: spec.readout.epoch,
    };
  } finally {
    sweep.index.close();
  }
}
