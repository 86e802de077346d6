/**
 * Training an echo-state network (cells/echo-state.ts) as reservoirpy does: drive the random
 * reservoir with the training series (teacher forcing), drop the first `warmup` states, and fit
 * the readout y = W_out·x + b_out by ridge regression, W̃ = YᵀX̃ (X̃ᵀX̃ + ridge·I)⁻¹ with
 * X̃ = [x, 1] — one linear solve, no gradient. Then the one-step validation error and the
 * closed-loop spectrum (the readout feeding the input, after a teacher-forced warm-up on
 * validation data), recorded in a run directory as one epoch of training.
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import {
  closedLoopEchoState, createEchoStateSystem, randomEchoStateModel, zeroInputs,
  type EchoStateModel, type Readout, type ReservoirSettings,
} from '../cells/index.js';
import { writeEchoStateModel } from '../io/leaky-file.js';
import { createKernels } from '../linalg/backends.js';
import type { LinalgKernels } from '../linalg/kernels.js';
import { Rng } from '../linalg/random.js';
import { lyapunovSpectrum } from '../lyapunov/spectrum.js';
import type { ModelSpectrumResult } from '../model-spectrum/index.js';
import { openRun, type TrainedEpochMetrics } from '../record/index.js';
import { TrainConfigError } from './errors.js';
import { resolveTaskSpec } from './tasks/index.js';
import { lorenzTask, type LorenzOptions, type LorenzSeries } from './tasks/lorenz.js';
import type { TaskDescription, TaskSpecJson } from './tasks/task.js';

/** reservoirpy's Reservoir settings, its Ridge's `ridge`, and the states dropped before the fit. */
export interface EsnSettings extends ReservoirSettings {
  /** Ridge (Tikhonov) coefficient. Default 1e-6. */
  ridge?: number;
  /** Training states dropped before the fit (reservoirpy's `warmup`). Default 100. */
  warmup?: number;
}

/** The settings `--esn` takes, with reservoirpy's names. */
export const ESN_SETTINGS = ['units', 'sr', 'lr', 'input_scaling', 'bias_scaling', 'rc_connectivity', 'input_connectivity', 'ridge', 'warmup'] as const;

export interface EsnRunConfig {
  task: TaskSpecJson;
  cell: 'esn';
  esn: EsnSettings;
  seed: number;
  spectrum: { batch: number; steps: number; transient: number; k: number };
}

export interface EsnRunResult {
  dir: string;
  model: EchoStateModel;
  readout: Required<Readout>;
  metrics: TrainedEpochMetrics;
  spectrum: ModelSpectrumResult | null;
  spectrumError?: string;
  task: TaskDescription;
}

/** Bounds on what a reservoir may ask for (memory is units² doubles, the fit (units+1)² more). */
const MAX_UNITS = 4000;

function checkSettings(settings: EsnSettings): Required<EsnSettings> {
  const resolved = {
    sr: 1, lr: 1, input_scaling: 1, bias_scaling: 1, rc_connectivity: 0.1, input_connectivity: 0.1, ridge: 1e-6, warmup: 100, ...settings,
  };
  const fail = (name: string, value: unknown, expected: string): never => {
    throw new TrainConfigError(`--esn ${name} is ${String(value)}, expected ${expected}`, `esn.${name}`);
  };
  if (!Number.isInteger(resolved.units) || resolved.units < 1 || resolved.units > MAX_UNITS) fail('units', resolved.units, `an integer in [1, ${MAX_UNITS}]`);
  if (!(resolved.lr > 0 && resolved.lr <= 1)) fail('lr', resolved.lr, 'a leak rate in (0, 1]');
  for (const name of ['sr', 'input_scaling', 'bias_scaling', 'ridge'] as const) {
    if (!(resolved[name] >= 0 && Number.isFinite(resolved[name]))) fail(name, resolved[name], 'a finite number ≥ 0');
  }
  for (const name of ['rc_connectivity', 'input_connectivity'] as const) {
    if (!(resolved[name] > 0 && resolved[name] <= 1)) fail(name, resolved[name], 'a fraction in (0, 1]');
  }
  if (!Number.isInteger(resolved.warmup) || resolved.warmup < 0) fail('warmup', resolved.warmup, 'an integer ≥ 0');
  return resolved;
}

/** The reservoir's states driven by `series` from `initialState` (zeros if absent), [steps × N]. */
function drive(model: EchoStateModel, series: LorenzSeries, kernels: LinalgKernels, initialState?: Float64Array): Float64Array {
  const n = model.hiddenSize;
  const system = createEchoStateSystem(model, { batch: 1, steps: series.steps, size: model.inputSize, data: series.inputs }, { kernels, ...(initialState ? { initialState } : {}) });
  const states = new Float64Array(series.steps * n);
  for (let t = 0; t < series.steps; t++) {
    system.step(t);
    states.set(system.state, t * n);
  }
  return states;
}

/** The ridge fit of targets on [states, 1] over steps from `first` on. */
function fitReadout(states: Float64Array, targets: Float64Array, n: number, outputs: number, first: number, ridge: number): Required<Readout> {
  const m = n + 1;
  const gram = new Float64Array(m * m);
  const cross = new Float64Array(m * outputs);
  const row = new Float64Array(m);
  const steps = targets.length / outputs;
  for (let t = first; t < steps; t++) {
    row.set(states.subarray(t * n, (t + 1) * n));
    row[n] = 1;
    for (let i = 0; i < m; i++) {
      const a = row[i]!;
      if (a === 0) continue;
      for (let j = i; j < m; j++) gram[i * m + j] += a * row[j]!;
      for (let o = 0; o < outputs; o++) cross[i * outputs + o] += a * targets[t * outputs + o]!;
    }
  }
  const rows = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => (i <= j ? gram[i * m + j]! : gram[j * m + i]!) + (i === j ? ridge : 0)));
  const cholesky = new CholeskyDecomposition(new Matrix(rows));
  if (!cholesky.isPositiveDefinite()) {
    throw new TrainConfigError(`--esn ridge ${ridge}: the states' Gram matrix is singular; raise ridge (e.g. 1e-6)`, 'esn.ridge');
  }
  const solved = cholesky.solve(new Matrix(Array.from({ length: m }, (_, i) => Array.from(cross.subarray(i * outputs, (i + 1) * outputs)))));
  const weight = new Float64Array(outputs * n);
  const bias = new Float64Array(outputs);
  for (let o = 0; o < outputs; o++) {
    for (let j = 0; j < n; j++) weight[o * n + j] = solved.get(j, o);
    bias[o] = solved.get(n, o);
  }
  return { weight, bias };
}

/** Mean squared error of the readout of `states` against `targets` over steps from `first` on. */
function readoutError(readout: Required<Readout>, states: Float64Array, targets: Float64Array, n: number, outputs: number, first: number): number {
  let sum = 0;
  const steps = targets.length / outputs;
  for (let t = first; t < steps; t++) {
    for (let o = 0; o < outputs; o++) {
      let y = readout.bias[o]!;
      for (let j = 0; j < n; j++) y += readout.weight[o * n + j]! * states[t * n + j]!;
      sum += (y - targets[t * outputs + o]!) ** 2;
    }
  }
  return sum / ((steps - first) * outputs);
}

/**
 * The closed-loop spectrum of a fitted reservoir: B trajectories, each warmed up (teacher forced)
 * on `warmup` steps of validation data, then run autonomously for transient + steps.
 */
export function esnClosedLoopSpectrum(
  model: EchoStateModel, readout: Readout, warmupInputs: { batch: number; steps: number; size: number; data: Float64Array },
  options: { steps: number; transient: number; k: number; seed: number; kernels?: LinalgKernels },
): ModelSpectrumResult {
  const { kernels = createKernels(), ...spectrumOptions } = options;
  const warm = createEchoStateSystem(model, warmupInputs, { kernels });
  for (let t = 0; t < warmupInputs.steps; t++) warm.step(t);
  const closed = closedLoopEchoState(model, readout);
  const system = createEchoStateSystem(closed, zeroInputs(warmupInputs.batch, options.transient + options.steps, model.inputSize), { initialState: warm.state, kernels });
  const k = Math.min(options.k, model.hiddenSize);
  const result = lyapunovSpectrum(system, { ...spectrumOptions, k, kernels });
  const { inputSize, hiddenSize } = model;
  return { ...result, model: { cell: 'esn', inputSize, hiddenSize, numLayers: 1, bias: model.bias !== undefined, stateDim: hiddenSize } };
}

/** Fits an echo-state network to a forecasting task and records it in `dir` (a new run directory). */
export function trainEchoStateRun(dir: string, config: EsnRunConfig): EsnRunResult {
  const { name, ...options } = resolveTaskSpec(config.task);
  if (name !== 'lorenz') throw new TrainConfigError(`--cell esn trains forecasters: use --task lorenz (got ${name})`, 'task.name');
  const settings = checkSettings(config.esn);
  const task = lorenzTask(options as LorenzOptions);
  const closedLoop = task.closedLoop!;
  const train = task.series('train');
  const validation = task.series('validation');
  if (settings.warmup >= train.steps) throw new TrainConfigError(`--esn warmup ${settings.warmup} leaves no training states (the series has ${train.steps} steps)`, 'esn.warmup');
  const started = Date.now();
  const run = openRun(dir, { config: { ...config, esn: settings } });
  try {
    const model = randomEchoStateModel(task.inputSize, settings, new Rng(config.seed));
    const n = model.hiddenSize;
    const kernels = createKernels();
    const trainStates = drive(model, train, kernels);
    const readout = fitReadout(trainStates, train.targets, n, task.outputSize, settings.warmup, settings.ridge);
    const trainLoss = readoutError(readout, trainStates, train.targets, n, task.outputSize, settings.warmup);
    // Validation follows training in time: the state carries over.
    const valStates = drive(model, validation, kernels, trainStates.slice((train.steps - 1) * n));
    const valLoss = readoutError(readout, valStates, validation.targets, n, task.outputSize, 0);
    const seconds = (Date.now() - started) / 1000;
    let spectrum: ModelSpectrumResult | null = null;
    let spectrumError: string | undefined;
    try {
      const inputs = task.spectrumInputs(config.spectrum.batch, Math.max(1, closedLoop.warmup), new Rng(config.seed ^ 0x5bd1e995));
      spectrum = esnClosedLoopSpectrum(model, readout, inputs, { ...config.spectrum, seed: config.seed, kernels });
    } catch (error) {
      if ((error as Error).name !== 'SpectrumError') throw error;
      spectrumError = (error as Error).message;
    }
    const metrics: TrainedEpochMetrics = {
      epoch: 1, step: 1, lr: 0, trainLoss, gradNorm: null, gradNormMax: null, clippedFraction: null, valLoss, valAccuracy: null,
      lambda: spectrum?.exponents ?? null, kaplanYorke: spectrum?.kaplanYorke ?? null, entropy: spectrum?.entropy ?? null, seconds,
    };
    run.append('metrics', metrics);
    run.append('spectra', { scope: 'epoch', epoch: 1, step: 1, spectrum, ...(spectrumError ? { error: spectrumError } : {}) });
    writeEchoStateModel(`${run.dir}/model.safetensors`, model, readout, { dt: String(closedLoop.dt) });
    return { dir: run.dir, model, readout, metrics, spectrum, ...(spectrumError ? { spectrumError } : {}), task: task.describe() };
  } catch (error) {
    run.discard();
    throw error;
  } finally {
    run.close();
  }
}
