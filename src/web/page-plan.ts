/**
 * What the page runs for a model dropped on it: the browser's counterpart of the CLI's
 * spectrumPlan for a model driven by random inputs (the page has no inputs files). The drive,
 * its JSON record and the tensors used come from the same functions as `spectrum --json`'s, and
 * the options are the ones the CLI passes for the same settings, so the JSON is the same.
 */
import type { LstmState } from '../cells/model.js';
import type { RnnFile } from '../io/rnn-file.js';
import { withoutEmbedding, type ModelSource } from '../io/model-source.js';
import type { Precision } from '../linalg/precision.js';
import type { ThreadedSpectrumOptions } from '../model-spectrum/batch-parts.js';
import { defaultDrive, drivePlan, type DriveDescription } from '../model-spectrum/drive-plan.js';
import { spectrumStateDimension } from '../model-spectrum/inputs.js';
import type { SpectrumInputs } from '../model-spectrum/model-spectrum.js';
import type { DriveKind } from '../model-spectrum/random-drive.js';
import { PageInputError } from './errors.js';

/** The page's settings, named as the CLI's flags. */
export interface PageSettings {
  /** Undefined: the whole state, as without --k. */
  k?: number;
  steps: number;
  transient: number;
  /** Undefined: the model's default drive, as without --drive. */
  drive?: DriveKind;
  batch: number;
  seed: number;
  precision: Precision;
  lstmState?: LstmState;
  /** Web Workers the batch is split over (--threads). */
  workers: number;
}

/** The most steps and sequences the page takes: a run well past a few minutes belongs to the CLI. */
export const PAGE_LIMITS = { steps: 1_000_000, transient: 1_000_000, batch: 1024, workers: 64 } as const;

export interface PagePlan {
  inputs: SpectrumInputs;
  options: ThreadedSpectrumOptions & { threads: number };
  source: ModelSource;
  description: DriveDescription;
  phrase: string;
}

export function pagePlan(file: RnnFile, settings: PageSettings): PagePlan {
  checkSettings(settings);
  const { model, embedding } = file;
  const plan = drivePlan(settings.drive ?? defaultDrive(embedding), model, embedding, settings.batch, settings.transient + settings.steps, settings.seed);
  const dim = spectrumStateDimension(model, settings);
  if (settings.k !== undefined && settings.k > dim) throw new PageInputError(`k must be an integer in [1, ${dim}] (the state dimension), got ${settings.k}`);
  const options = {
    steps: settings.steps,
    transient: settings.transient,
    ...(settings.k !== undefined ? { k: settings.k } : {}),
    seed: settings.seed,
    qrEvery: 1,
    ...(settings.lstmState ? { lstmState: settings.lstmState } : {}),
    backend: 'wasm' as const,
    precision: settings.precision,
    threads: Math.min(settings.workers, settings.batch),
  };
  return {
    inputs: plan.make(), options, source: plan.throughEmbedding ? file.source : withoutEmbedding(file.source),
    description: plan.description, phrase: plan.phrase,
  };
}

function checkSettings(settings: PageSettings): void {
  const bounds: [keyof PageSettings, number, number][] = [
    ['steps', 1, PAGE_LIMITS.steps], ['transient', 0, PAGE_LIMITS.transient], ['batch', 1, PAGE_LIMITS.batch],
    ['seed', 0, Number.MAX_SAFE_INTEGER], ['workers', 1, PAGE_LIMITS.workers], ...(settings.k !== undefined ? [['k', 1, Infinity] as [keyof PageSettings, number, number]] : []),
  ];
  for (const [name, min, max] of bounds) {
    const value = settings[name] as number;
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new PageInputError(`${name} must be an integer in [${min}, ${max === Infinity ? '∞' : max}], got ${Number.isNaN(value) ? 'nothing' : value}`);
    }
  }
}
