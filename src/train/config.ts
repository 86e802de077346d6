import { CELL_KINDS, stateDimension, type CellKind, type LstmState } from '../cells/model.js';
import { parseInit } from './init.js';
import { parseSchedule } from './optim/schedule.js';
import { PRECISIONS, type Precision } from '../linalg/precision.js';
import type { TaskSpecJson } from './tasks/task.js';
import { checkTaskSpec } from './tasks/index.js';
import { TrainConfigError } from './errors.js';
import { parseFlossSpec, resolveFlossConfig, type FlossConfig } from './floss/config.js';

/** When and how spectra are taken during training. */
export interface SpectrumSchedule {
  /** Every this many epochs, and at initialisation (epoch 0); 0 turns spectra off. */
  every: number;
  /** Held-out sequences (trajectories). */
  batch: number;
  /** Averaged steps, after `transient` discarded ones. */
  steps: number;
  transient: number;
  /** Exponents λ₁..λ_k, at most the state dimension (default: 16, or the state dimension when smaller). */
  k: number;
  lstmState: LstmState;
  /**
   * A QR every this many steps (1: every step), or 'auto' (default): 4 for k < 0.9·n, else 1
   * (see probeQrEvery). Between QRs the basis is carried unnormalised and a conditioning guard
   * halves the interval when its directions separate too far; the exponents agree with a QR every
   * step to about 1e-12 relative (docs/performance.md, "Spectra during a sweep").
   */
  qrEvery: number | 'auto';
}

/** A cheap λ₁..λ_k every few optimizer steps (few exponents, few short sequences). */
export interface StepSpectrumSchedule {
  /** Every this many optimizer steps. */
  every: number;
  batch: number;
  steps: number;
  transient: number;
  k: number;
}

/** Everything that defines a training run; JSON-serialisable (stored as the run's config.json). */
export interface TrainConfig {
  /** Recreates the task with `createTask` (e.g. `{ name: 'charlm', seq: 100 }`). */
  task: TaskSpecJson;
  cell: CellKind;
  hidden: number;
  layers: number;
  bias: boolean;
  /** default | uniform:P | orthogonal | normal:G (see init.ts). */
  init: string;
  precision: Precision;
  optimizer: 'adam' | 'sgd';
  lr: number;
  /** SGD momentum (ignored by Adam). */
  momentum: number;
  /** constant | step:N:GAMMA | exp:GAMMA, stepped per epoch. */
  schedule: string;
  /** Global gradient-norm bound; null: no clipping. */
  clip: number | null;
  /** Dropout probability on the readout input during training. */
  dropout: number;
  epochs: number;
  batch: number;
  /** Batch size of validation passes (no effect on the result, only on speed and memory). */
  evalBatch: number;
  /** Train on the task's contiguous streams with a carried state (truncated BPTT) when it has them. */
  tbptt: boolean;
  seed: number;
  spectrum: SpectrumSchedule;
  stepSpectrum: StepSpectrumSchedule | null;
  /** Gradient flossing (docs/flossing.md), or null: none. Its exponents use spectrum.lstmState. */
  floss: FlossConfig | null;
}

export const DEFAULT_TRAIN_CONFIG: Omit<TrainConfig, 'task'> = {
  cell: 'lstm',
  hidden: 128,
  layers: 1,
  bias: true,
  init: 'default',
  precision: 'float32',
  optimizer: 'adam',
  lr: 2e-3,
  momentum: 0,
  schedule: 'constant',
  clip: 5,
  dropout: 0,
  epochs: 10,
  batch: 64,
  evalBatch: 256,
  tbptt: true,
  seed: 0,
  spectrum: { every: 1, batch: 8, steps: 200, transient: 50, k: 16, lstmState: 'joint', qrEvery: 'auto' },
  stepSpectrum: null,
  floss: null,
};

export type TrainConfigInput = Partial<Omit<TrainConfig, 'spectrum' | 'stepSpectrum' | 'floss'>> & {
  task: TaskSpecJson;
  spectrum?: Partial<SpectrumSchedule>;
  stepSpectrum?: Partial<StepSpectrumSchedule> | null;
  /** An object, or the CLI's `k=4,pre=100` text (so that a sweep parameter can switch flossing on: values [null, 'k=4']). */
  floss?: Partial<FlossConfig> | string | null;
};

export interface ResolveOptions {
  /**
   * The config was recorded by an earlier run (its config.json): a spectrum `k` above the state
   * dimension, which runs once recorded and clamped, is clamped again instead of refused.
   */
  recorded?: boolean;
}

/**
 * Defaults filled in and every field checked; errors name the field and what was expected. The
 * task's options are checked by `validateTrainConfig`, which a new run goes through.
 */
export function resolveTrainConfig(input: TrainConfigInput, options: ResolveOptions = {}): TrainConfig {
  const d = DEFAULT_TRAIN_CONFIG;
  const given = { ...d, ...dropUndefined(input) };
  // The spectrum's default k is capped at the state dimension; a k given above it is refused below.
  const lstmState = input.spectrum?.lstmState ?? d.spectrum.lstmState;
  const dim = Number.isInteger(given.hidden) && Number.isInteger(given.layers)
    ? stateDimension({ cell: given.cell, numLayers: given.layers, hiddenSize: given.hidden }, lstmState)
    : Infinity;
  const config: TrainConfig = {
    ...given,
    task: input.task,
    spectrum: { ...d.spectrum, k: Math.min(d.spectrum.k, dim), ...dropUndefined(input.spectrum ?? {}) },
    stepSpectrum: input.stepSpectrum == null
      ? null
      : { every: 10, batch: 2, steps: 50, transient: 10, k: Math.min(4, dim), ...dropUndefined(input.stepSpectrum) },
    floss: input.floss == null ? null : resolveFlossConfig(typeof input.floss === 'string' ? parseFlossSpec(input.floss) : input.floss, dim),
  };
  if (options.recorded) {
    config.spectrum.k = Math.min(config.spectrum.k, dim);
    if (config.stepSpectrum !== null) config.stepSpectrum.k = Math.min(config.stepSpectrum.k, dim);
  }
  if (config.task === null || typeof config.task !== 'object' || typeof config.task.name !== 'string') {
    throw new TrainConfigError('train config: task must be an object with a name, such as { "name": "charlm" }', 'task');
  }
  if (!CELL_KINDS.includes(config.cell)) throw new TrainConfigError(`train config: cell must be one of ${CELL_KINDS.join(', ')}, got ${String(config.cell)}`, 'cell');
  integer('hidden', config.hidden, 1);
  integer('layers', config.layers, 1);
  integer('epochs', config.epochs, 0);
  integer('batch', config.batch, 1);
  integer('evalBatch', config.evalBatch, 1);
  integer('seed', config.seed, 0, 2 ** 32 - 1);
  bool('bias', config.bias);
  bool('tbptt', config.tbptt);
  wrap('init', () => parseInit(config.init));
  wrap('schedule', () => parseSchedule(config.schedule));
  if (!PRECISIONS.includes(config.precision)) throw new TrainConfigError(`train config: precision must be float32 or float64, got ${String(config.precision)}`, 'precision');
  if (config.optimizer !== 'adam' && config.optimizer !== 'sgd') throw new TrainConfigError(`train config: optimizer must be adam or sgd, got ${String(config.optimizer)}`, 'optimizer');
  positive('lr', config.lr);
  if (!(config.momentum >= 0 && config.momentum < 1)) throw new TrainConfigError(`train config: momentum must be in [0, 1), got ${config.momentum}`, 'momentum');
  if (config.clip !== null) positive('clip', config.clip);
  if (!(config.dropout >= 0 && config.dropout < 1)) throw new TrainConfigError(`train config: dropout must be in [0, 1), got ${config.dropout}`, 'dropout');
  const s = config.spectrum;
  integer('spectrum.every', s.every, 0);
  integer('spectrum.batch', s.batch, 1);
  integer('spectrum.steps', s.steps, 1);
  integer('spectrum.transient', s.transient, 0);
  integer('spectrum.k', s.k, 1, dim, 'the state dimension');
  if (s.qrEvery !== 'auto' && !(Number.isInteger(s.qrEvery) && s.qrEvery >= 1)) {
    throw new TrainConfigError(`train config: spectrum.qrEvery must be 'auto' or an integer ≥ 1, got ${JSON.stringify(s.qrEvery)}`, 'spectrum.qrEvery');
  }
  if (s.lstmState !== 'joint' && s.lstmState !== 'h') throw new TrainConfigError(`train config: spectrum.lstmState must be joint or h, got ${String(s.lstmState)}`, 'spectrum.lstmState');
  if (config.stepSpectrum !== null) {
    const p = config.stepSpectrum;
    for (const key of ['every', 'batch', 'steps'] as const) integer(`stepSpectrum.${key}`, p[key], 1);
    integer('stepSpectrum.k', p.k, 1, dim, 'the state dimension');
    integer('stepSpectrum.transient', p.transient, 0);
  }
  return config;
}

/**
 * The whole config of a new run checked before anything is written (`resolveTrainConfig`, then
 * the task's options by name, type and range, and its data files present and readable), with
 * the task's options in their current spelling; `warn` hears one line per deprecated spelling.
 * Throws a TrainConfigError (or, for data files, a TaskDataError) naming the field.
 */
export function validateTrainConfig(input: TrainConfigInput, warn?: (message: string) => void): TrainConfig {
  const config = resolveTrainConfig(input);
  return { ...config, task: checkTaskSpec(config.task, warn) };
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function integer(field: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER, maxIs?: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    const bound = max === Number.MAX_SAFE_INTEGER || max === Infinity ? '∞' : max;
    throw new TrainConfigError(`train config: ${field} must be an integer in [${min}, ${bound}]${maxIs === undefined ? '' : ` (${maxIs})`}, got ${String(value)}`, field);
  }
}

function positive(field: string, value: number): void {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) throw new TrainConfigError(`train config: ${field} must be a positive number, got ${String(value)}`, field);
}

function bool(field: string, value: unknown): void {
  if (typeof value !== 'boolean') throw new TrainConfigError(`train config: ${field} must be true or false, got ${String(value)}`, field);
}

function wrap(field: string, parse: () => unknown): void {
  try {
    parse();
  } catch (error) {
    throw new TrainConfigError(`train config: ${field}: ${(error as Error).message}`, field);
  }
}
