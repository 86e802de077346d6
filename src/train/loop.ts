import { createKernels } from '../linalg/backends.js';
import type { LinalgKernels } from '../linalg/kernels.js';
import type { InputSequences } from '../cells/model.js';
import { BpttEngine } from './bptt/engine.js';
import type { RecurrentState } from './bptt/batch.js';
import type { TrainConfig } from './config.js';
import { evaluateSplit } from './evaluate.js';
import { initialiseParams } from './init.js';
import { createParams, type NetworkParams, type NetworkSpec } from './network.js';
import { clipGradientNorm } from './optim/clip.js';
import { createOptimizer } from './optim/create.js';
import { learningRate, parseSchedule } from './optim/schedule.js';
import { arrayType } from '../linalg/precision.js';
import type { TrainedEpochMetrics, SpectrumRecord } from '../record/index.js';
import { MemoryRecorder, type TrainRecorder } from './recorder.js';
import { runStreams } from './seeds.js';
import { probeInputSteps, probeSpectrum, type SpectrumProbeConfig } from './spectrum-probe.js';
import { trainingBatch } from './task-batch.js';
import { createTask } from './tasks/index.js';
import type { Batch, StreamBatch, Task } from './tasks/task.js';
import { TrainConfigError, TrainingDivergedError } from './errors.js';
import { FlossingUpdates, type FlossingSummary } from './floss/flossing-updates.js';

export interface BatchProgress {
  epoch: number;
  /** 1-based batch index within the epoch, and the expected number of batches. */
  batch: number;
  batches: number;
  step: number;
  loss: number;
  gradNorm: number;
  lr: number;
  /** λ₁ of the latest spectrum (epoch or per-step), null before the first. */
  lambda1: number | null;
}

export interface TrainHooks {
  onBatch?(progress: BatchProgress): void;
  onEpoch?(metrics: TrainedEpochMetrics): void;
  onSpectrum?(record: SpectrumRecord): void;
  /** One line on something the user should know: a deprecated option, a loss that explodes. */
  onWarning?(message: string): void;
  /** Where the run is recorded; in memory when absent. */
  recorder?: TrainRecorder;
  /** The task to train on, when already built (else built from `config.task`). */
  task?: Task;
  /** Stops training between batches (the last complete epoch stays checkpointed). */
  signal?: AbortSignal;
  /** Kernels of the spectrum computations; the fastest available by default. */
  kernels?: LinalgKernels;
}

export interface TrainResult {
  config: TrainConfig;
  network: NetworkSpec;
  params: NetworkParams;
  /** Metrics of the epochs run by this call (a resumed run: only the new ones). */
  metrics: TrainedEpochMetrics[];
  /** Epoch the call started after (0 for a fresh run, the checkpoint's epoch when resumed). */
  resumedFrom: number | null;
}

/**
 * Trains a recurrent network on a task: epochs of shuffled batches (or, for stream tasks with
 * `tbptt`, contiguous windows with the state carried between them), gradient clipping, the
 * learning-rate schedule, validation after every epoch, and Lyapunov spectra on held-out
 * sequences at initialisation and every `spectrum.every` epochs. Every epoch ends with a
 * checkpoint; a recorder that returns a resume point continues from it and reproduces the
 * uninterrupted run bit for bit (each epoch's randomness is derived from the seed and the epoch).
 * `config` is resolved (`resolveTrainConfig`): every field present and checked.
 */
export async function train(config: TrainConfig, hooks: TrainHooks = {}): Promise<TrainResult> {
  const recorder = hooks.recorder ?? new MemoryRecorder();
  const task = hooks.task ?? createTask(config.task);
  const network: NetworkSpec = {
    cell: config.cell, inputSize: task.inputSize, hiddenSize: config.hidden,
    numLayers: config.layers, bias: config.bias, outputSize: task.outputSize,
  };
  const engine = new BpttEngine(network, config.precision);
  const params = createParams(network, config.precision);
  const grad = new (arrayType(config.precision))(params.values.length);
  const optimizer = createOptimizer(
    { name: config.optimizer, momentum: config.momentum }, params.values.length, arrayType(config.precision),
  );
  const schedule = parseSchedule(config.schedule);
  const kernels = hooks.kernels ?? createKernels();

  const seeds = runStreams(config.seed);
  const flossing = config.floss === null ? null : new FlossingUpdates(config.floss, params, task, {
    lr: config.lr, lstmState: config.spectrum.lstmState, basisSeed: seeds.flossBasis,
    ...(kernels.precision === 'float64' ? { kernels } : {}),
  });
  const closedLoop = task.closedLoop === undefined ? {} : { closedLoopWarmup: task.closedLoop.warmup };
  const spectrumConfig: SpectrumProbeConfig = { ...config.spectrum, seed: seeds.spectrumBasis, ...closedLoop };
  let spectrumInputs: InputSequences | null = null;
  const epochSpectrum = (epoch: number, step: number): SpectrumRecord => {
    spectrumInputs ??= task.spectrumInputs(config.spectrum.batch, probeInputSteps(spectrumConfig), seeds.spectrumInputs());
    return takeSpectrum('epoch', epoch, step, params, spectrumInputs, spectrumConfig, kernels);
  };

  const resume = recorder.resumePoint(network);
  let step = 0;
  let firstEpoch = 1;
  const metrics: TrainedEpochMetrics[] = [];
  let lambda1: number | null = null;
  const recordSpectrum = (record: SpectrumRecord) => {
    recorder.spectrum(record);
    lambda1 = record.spectrum?.exponents[0] ?? lambda1;
    hooks.onSpectrum?.(record);
  };
  const exploding = explosionWatch(task, (message) => hooks.onWarning?.(message));
  const finishEpoch = (record: TrainedEpochMetrics, spectrum: SpectrumRecord | null) => {
    exploding(record);
    recorder.metrics(record);
    if (spectrum !== null) recordSpectrum(spectrum);
    recorder.checkpoint({
      epoch: record.epoch, step, params, optimizer: optimizer.exportState(),
      ...(flossing === null ? {} : { flossOptimizer: flossing.exportState() }),
    });
    metrics.push(record);
    hooks.onEpoch?.(record);
  };

  if (resume !== null) {
    params.values.set(resume.params.values);
    optimizer.importState(resume.optimizer);
    if (flossing !== null) {
      if (resume.flossOptimizer === undefined) throw new TrainConfigError(`the checkpoint of epoch ${resume.epoch} holds no flossing optimizer state, though the run's config flosses`, 'floss');
      flossing.importState(resume.flossOptimizer);
    }
    step = resume.step;
    firstEpoch = resume.epoch + 1;
  } else {
    initialiseParams(params, config.init, seeds.init());
    recorder.start({ config, network, task: task.describe(), artifacts: task.artifacts() });
    const validation = evaluateSplit(engine, params.values, task, 'validation', config.evalBatch);
    const spectrum = config.spectrum.every > 0 ? epochSpectrum(0, 0) : null;
    finishEpoch(epochRecord(0, step, config.lr, null, validation, spectrum, 0, flossing === null ? undefined : null), spectrum);
  }

  const streams = config.tbptt && task.streamBatches !== undefined;
  const expectedBatches = Math.max(1, Math.ceil(task.trainSize / config.batch));
  let state: RecurrentState | null = null;
  for (let epoch = firstEpoch; epoch <= config.epochs; epoch++) {
    const started = Date.now();
    const lr = learningRate(schedule, config.lr, epoch - 1);
    const dropoutRng = seeds.dropout(epoch);
    const floss = flossing === null ? undefined : flossing.run(epoch, () => seeds.flossInputs(epoch));
    const batches: Iterable<Batch> = streams
      ? task.streamBatches!(config.batch)
      : task.batches(config.batch, seeds.batches(epoch));
    const stats = { loss: 0, count: 0, norm: 0, normMax: 0, clipped: 0, batches: 0 };
    let index = 0;
    for (const taskBatch of batches) {
      if (hooks.signal?.aborted) throw hooks.signal.reason ?? new Error('training aborted');
      index++;
      const batch = trainingBatch(taskBatch);
      if (streams) {
        if (state === null || state.batch !== batch.batch) state = engine.createState(batch.batch);
        if (!(taskBatch as StreamBatch).carryState) clearState(state);
      }
      const result = engine.gradient(params.values, grad, batch, {
        ...(streams ? { state: state! } : {}),
        ...(config.dropout > 0 ? { dropout: { p: config.dropout, rng: dropoutRng } } : {}),
      });
      const norm = clipGradientNorm(grad, config.clip ?? undefined);
      if (!Number.isFinite(result.loss) || !Number.isFinite(norm)) {
        throw new TrainingDivergedError(
          `training diverged in epoch ${epoch}, batch ${index}: loss ${result.loss}, gradient norm ${norm}; ` +
            'lower the learning rate, clip gradients (clip) or use a smaller init scale',
        );
      }
      optimizer.step(params.values, grad, lr);
      step++;
      stats.loss += result.loss;
      stats.norm += norm;
      stats.normMax = Math.max(stats.normMax, norm);
      if (config.clip !== null && norm > config.clip) stats.clipped++;
      stats.batches++;
      hooks.onBatch?.({ epoch, batch: index, batches: Math.max(expectedBatches, index), step, loss: result.loss, gradNorm: norm, lr, lambda1 });
      const probe = config.stepSpectrum;
      if (probe !== null && step % probe.every === 0) {
        const probeConfig = { ...probe, lstmState: config.spectrum.lstmState, qrEvery: config.spectrum.qrEvery, seed: spectrumConfig.seed, ...closedLoop };
        const inputs = task.spectrumInputs(probe.batch, probeInputSteps(probeConfig), seeds.stepSpectrumInputs());
        const record = takeSpectrum('step', epoch, step, params, inputs, probeConfig, kernels);
        recordSpectrum(record);
      }
      // Let signals, timers and output through between batches.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (stats.batches === 0) throw new TrainConfigError(`task ${task.name} gave no training batches for batch size ${config.batch}`);
    const seconds = (Date.now() - started) / 1000;
    const validation = evaluateSplit(engine, params.values, task, 'validation', config.evalBatch);
    const spectrum = config.spectrum.every > 0 && epoch % config.spectrum.every === 0 ? epochSpectrum(epoch, step) : null;
    const train = {
      loss: stats.loss / stats.batches, norm: stats.norm / stats.batches, normMax: stats.normMax, clipped: stats.clipped / stats.batches,
    };
    finishEpoch(epochRecord(epoch, step, lr, train, validation, spectrum, seconds, floss), spectrum);
  }
  return { config, network, params, metrics, resumedFrom: resume === null ? null : resume.epoch };
}

/** A validation loss this many times the chance level (the best constant prediction's) is a diverging network. */
const EXPLODING_LOSS_FACTOR = 100;

/**
 * Warns once when the validation loss is non-finite or above EXPLODING_LOSS_FACTOR × the task's
 * chance loss: training goes on (the spectrum of a diverging network is itself a finding), but
 * the user should not wait for epochs of it unaware.
 */
function explosionWatch(task: Task, warn: (message: string) => void): (record: TrainedEpochMetrics) => void {
  let warned = false;
  return (record) => {
    const loss = record.valLoss;
    if (warned || (Number.isFinite(loss) && loss <= EXPLODING_LOSS_FACTOR * task.chanceLoss)) return;
    warned = true;
    warn(
      `validation loss ${loss.toPrecision(3)} at epoch ${record.epoch} is ${Number.isFinite(loss) ? `over ${EXPLODING_LOSS_FACTOR}× ` : 'not finite, against '}` +
        `the chance level ${task.chanceLoss.toPrecision(3)}: the network is diverging; lower lr, clip gradients or use a smaller init scale`,
    );
  };
}

function clearState(state: RecurrentState): void {
  for (const h of state.h) h.fill(0);
  for (const c of state.c ?? []) c.fill(0);
}

function takeSpectrum(
  scope: 'epoch' | 'step', epoch: number, step: number, params: NetworkParams, inputs: InputSequences,
  config: SpectrumProbeConfig, kernels: LinalgKernels,
): SpectrumRecord {
  const started = performance.now();
  const seconds = () => Math.round(performance.now() - started) / 1000;
  try {
    const spectrum = probeSpectrum(params, inputs, config, kernels);
    return { scope, epoch, step, seconds: seconds(), spectrum };
  } catch (error) {
    // A diverging state is a finding about the network, not a reason to stop training.
    if ((error as Error).name !== 'SpectrumError') throw error;
    return { scope, epoch, step, seconds: seconds(), spectrum: null, error: (error as Error).message };
  }
}

function epochRecord(
  epoch: number, step: number, lr: number,
  train: { loss: number; norm: number; normMax: number; clipped: number } | null,
  validation: { loss: number; accuracy: number | null },
  spectrum: SpectrumRecord | null, seconds: number,
  /** Undefined: the run does not floss (its lines have no flossing fields); null: it did not floss in this epoch. */
  floss?: FlossingSummary | null,
): TrainedEpochMetrics {
  const s = spectrum?.spectrum ?? null;
  return {
    epoch, step, lr,
    trainLoss: train?.loss ?? null,
    gradNorm: train?.norm ?? null,
    gradNormMax: train?.normMax ?? null,
    clippedFraction: train?.clipped ?? null,
    valLoss: validation.loss,
    valAccuracy: validation.accuracy,
    lambda: s === null ? null : s.exponents,
    kaplanYorke: s === null ? null : s.kaplanYorke,
    entropy: s === null ? null : s.entropy,
    seconds,
    ...(floss === undefined ? {} : { flossLoss: floss?.loss ?? null, flossLambda: floss?.lambda ?? null }),
  };
}
