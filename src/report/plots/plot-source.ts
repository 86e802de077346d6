import { existsSync, statSync } from 'node:fs';
import type { TopLevelSpec } from 'vega-lite';
import { ReportInputError } from '../errors.js';
import { isRunDirectory, readRunData, runLossUnits, runUnits, type RunData } from '../data/run-data.js';
import { isObject, spectrumFromJson, type SpectrumData } from '../data/spectrum-data.js';
import { readJsonFile } from '../data/json-file.js';
import type { SweepData } from '../data/sweep-data.js';
import { isSweepDirectory } from '../data/sweep-dir-data.js';
import { readSweepData, sweepFromJson } from '../data/sweep-input.js';
import { SWEEP_PLOT_KINDS, sweepPlotSpec, type SweepPlotKind } from './sweep-views.js';
import { convergencePlot, describeSpectrumModel, spectrumPlot } from './spectrum-plots.js';
import { trainingSpec } from './training-plot.js';
import { clvFromJson, isClvJson, type ClvData } from '../data/clv-data.js';
import { clvAnglesSpec } from './clv-angles-plot.js';
import { ftleSpec } from './ftle-plot.js';

export const RUN_PLOT_KINDS = ['spectrum', 'convergence', 'training', 'ftle'] as const;
export const PLOT_KINDS = [...RUN_PLOT_KINDS, 'clv-angles', ...SWEEP_PLOT_KINDS] as const;
export type PlotKind = (typeof PLOT_KINDS)[number];

/** What `plot` draws from: one spectrum result, a training run directory, or a sweep. */
export type PlotSource =
  | { type: 'spectrum'; path: string; spectrum: SpectrumData }
  | { type: 'run'; path: string; run: RunData }
  | { type: 'sweep'; path: string; sweep: SweepData }
  | { type: 'clv'; path: string; clv: ClvData };

/** A run or sweep directory, a sweep table or a spectrum JSON file, told apart by what is on disk. */
export function loadPlotSource(path: string): PlotSource {
  if (!existsSync(path)) throw new ReportInputError(`${path}: no such file or directory`);
  if (statSync(path).isDirectory()) {
    if (isSweepDirectory(path)) return { type: 'sweep', path, sweep: readSweepData(path) };
    if (isRunDirectory(path)) return { type: 'run', path, run: readRunData(path) };
    throw new ReportInputError(`${path}: neither a run directory (config.json) nor a sweep directory (sweep.json)`);
  }
  const parsed = readJsonFile(path);
  if (isClvJson(parsed)) return { type: 'clv', path, clv: clvFromJson(parsed, path) };
  return isObject(parsed) && Array.isArray(parsed['rows'])
    ? { type: 'sweep', path, sweep: sweepFromJson(parsed, path) }
    : { type: 'spectrum', path, spectrum: spectrumFromJson(parsed, path) };
}

/** The spectrum a source shows: the file's, or the run's latest (with its epoch). */
export function sourceSpectrum(source: PlotSource): { spectrum: SpectrumData; epoch?: number } {
  if (source.type === 'spectrum') return { spectrum: source.spectrum };
  if (source.type === 'sweep') throw new ReportInputError(`${source.path}: a sweep has many spectra; plot one of its runs (runs/<id>)`);
  if (source.type === 'clv') throw new ReportInputError(`${source.path}: a clv result; plot it with --kind clv-angles`);
  const latest = source.run.spectra.at(-1);
  if (!latest) throw new ReportInputError(`${source.path}: the run has recorded no spectrum yet (spectra.jsonl holds no epoch spectrum)`);
  return { spectrum: latest.spectrum, epoch: latest.epoch };
}

/** The finite-time exponents' histograms, from a spectrum run with --ftle-window. */
export function ftlePlot(spectrum: SpectrumData, where: string, epoch?: number): TopLevelSpec {
  if (!spectrum.finiteTime) throw new ReportInputError(`${where}: the spectrum has no finite-time exponents (run spectrum with --ftle-window W)`);
  return ftleSpec({
    ...spectrum.finiteTime, units: spectrum.units,
    ...(epoch !== undefined ? { title: `Finite-time exponents, epoch ${epoch}` } : {}),
  });
}

export function trainingPlot(run: RunData): TopLevelSpec {
  if (run.points.length === 0) throw new ReportInputError(`${run.dir}: metrics.jsonl holds no epoch yet`);
  const lossUnits = runLossUnits(run);
  return trainingSpec({ points: run.points, units: runUnits(run), ...(lossUnits ? { lossUnits } : {}), title: `Training of ${run.name}` });
}

/** The specification of one plot kind from a source; an error names what the source lacks. */
export function plotSpec(kind: PlotKind, source: PlotSource, options: { feature?: string } = {}): TopLevelSpec {
  if (isSweepKind(kind)) {
    if (source.type !== 'sweep') throw new ReportInputError(`${source.path}: --kind ${kind} needs a sweep (directory or table), not ${SOURCE_NAMES[source.type]}`);
    try {
      return sweepPlotSpec(kind, source.sweep, options.feature);
    } catch (error) {
      if (error instanceof RangeError) throw new ReportInputError(`${source.path}: ${error.message}`);
      throw error;
    }
  }
  if (kind === 'training') {
    if (source.type !== 'run') throw new ReportInputError(`${source.path}: --kind training needs a run directory, not ${SOURCE_NAMES[source.type]}`);
    return trainingPlot(source.run);
  }
  if (kind === 'clv-angles') {
    if (source.type !== 'clv') throw new ReportInputError(`${source.path}: --kind clv-angles needs a result of clv --json, not ${SOURCE_NAMES[source.type]}`);
    return clvAnglesSpec(source.clv, source.clv.model ? describeSpectrumModel(source.clv.model) : undefined);
  }
  const { spectrum, epoch } = sourceSpectrum(source);
  if (kind === 'ftle') return ftlePlot(spectrum, source.path, epoch);
  return kind === 'spectrum' ? spectrumPlot(spectrum, epoch) : convergencePlot(spectrum, source.path, epoch);
}

const SOURCE_NAMES: Record<PlotSource['type'], string> = { spectrum: 'a spectrum file', run: 'a run directory', sweep: 'a sweep', clv: 'a clv result' };

function isSweepKind(kind: PlotKind): kind is SweepPlotKind {
  return (SWEEP_PLOT_KINDS as readonly string[]).includes(kind);
}
