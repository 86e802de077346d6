import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { readConfig, readMetrics, readSpectra, RUN_FILES } from '../../record/index.js';
import { ReportInputError } from '../errors.js';
import { spectrumFromJson, type SpectrumData } from './spectrum-data.js';
import type { TrainingPoint } from '../plots/training-plot.js';
import { reviveNumber } from './values.js';

/** A spectrum of spectra.jsonl with when it was taken. */
export interface RunSpectrum {
  scope: string;
  epoch: number;
  step: number;
  spectrum: SpectrumData;
}

/** What the reports show of a training run directory (src/record). */
export interface RunData {
  dir: string;
  name: string;
  config: unknown;
  /** metrics.jsonl as recorded, one object per epoch. */
  metrics: Record<string, unknown>[];
  /** The epochs as the training plot needs them. */
  points: TrainingPoint[];
  /** Spectra recorded after epochs (spectra.jsonl, scope 'epoch'; failed ones left out), oldest first. */
  spectra: RunSpectrum[];
}

/** Whether `dir` looks like a run directory (it has the run's config.json). */
export function isRunDirectory(dir: string): boolean {
  return existsSync(join(dir, RUN_FILES.config)) && statSync(dir).isDirectory();
}

export function readRunData(dir: string): RunData {
  const root = resolve(dir);
  if (!existsSync(root)) throw new ReportInputError(`${dir}: no such run directory`);
  if (!isRunDirectory(root)) throw new ReportInputError(`${dir}: not a run directory (no ${RUN_FILES.config})`);
  const metrics = readMetrics(root);
  const spectra = readSpectra(root).flatMap((record, line): RunSpectrum[] => {
    if (record['scope'] !== 'epoch' || record['spectrum'] === null || record['spectrum'] === undefined) return [];
    return [{
      scope: 'epoch',
      epoch: Number(record['epoch']),
      step: Number(record['step']),
      spectrum: spectrumFromJson(record['spectrum'], `${join(dir, RUN_FILES.spectra)} line ${line + 1}`),
    }];
  });
  return { dir: root, name: basename(root), config: readConfig(root), metrics, points: trainingPoints(metrics), spectra };
}

/**
 * metrics.jsonl lines (`EpochMetrics` of src/train/recorder.ts) as training-plot points:
 * trainLoss and valLoss as the curves 'train' and 'validation', `lambda` as the exponents,
 * flossLoss (runs with gradient flossing) as it is.
 */
export function trainingPoints(metrics: readonly Record<string, unknown>[]): TrainingPoint[] {
  return metrics.flatMap((m) => {
    const epoch = m['epoch'];
    if (typeof epoch !== 'number') return [];
    const losses: Record<string, number> = {};
    const train = reviveNumber(m['trainLoss']);
    const validation = reviveNumber(m['valLoss']);
    if (train !== undefined) losses['train'] = train;
    if (validation !== undefined) losses['validation'] = validation;
    const lambda = m['lambda'];
    const exponents = Array.isArray(lambda) ? lambda.map((v) => reviveNumber(v) ?? NaN) : [];
    const flossLoss = reviveNumber(m['flossLoss']);
    return [{ epoch, losses, exponents, ...(flossLoss === undefined ? {} : { flossLoss }) }];
  });
}

/** Units of a run's exponents: those of its spectra, else the training loop's nats/step. */
export function runUnits(run: RunData): string {
  return run.spectra.at(-1)?.spectrum.units ?? 'nats/step';
}

/** What the loss of a run's task measures (src/train/tasks): cross-entropy per character or per answer, or squared error. */
export function runLossUnits(run: RunData): string | undefined {
  const config = run.config as { task?: { name?: unknown } } | null;
  const taskName = config?.task?.name;
  const task = typeof taskName === 'string' ? taskName : undefined;
  if (task === 'charlm') return 'cross-entropy, nats/char';
  if (task === 'copy' || task === 'xor' || task === 'smnist') return 'cross-entropy, nats';
  if (task === 'adding') return 'mean squared error';
  return undefined;
}

