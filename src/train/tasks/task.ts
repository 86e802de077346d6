/**
 * What a training task offers the training loop: seeded batches of its training split, fixed
 * validation and test sets, held-out driving sequences for the Lyapunov spectrum, and a JSON
 * description for the run's config.json. All arrays are float64 and row-major
 * (sequence, step, feature), like `InputSequences`.
 */
import type { InputSequences } from '../../cells/model.js';
import type { Rng } from '../../linalg/random.js';
import { TrainConfigError } from '../errors.js';

export type TaskName = 'charlm' | 'smnist' | 'copy' | 'adding' | 'xor' | 'lorenz';

export const TASK_NAMES: readonly TaskName[] = ['charlm', 'smnist', 'copy', 'adding', 'xor', 'lorenz'];

/**
 * Which outputs the loss reads:
 * - 'ce-per-step': softmax cross-entropy at every step whose mask is 1 (every step without a mask);
 * - 'ce-last': softmax cross-entropy at the last step only;
 * - 'mse': mean squared error at the last step only;
 * - 'mse-per-step': mean squared error at every step (forecasting).
 */
export type TaskLoss = 'ce-per-step' | 'ce-last' | 'mse' | 'mse-per-step';

export type EvalSplit = 'validation' | 'test';

interface BatchShape {
  batch: number;
  steps: number;
  inputSize: number;
  /** [batch × steps × inputSize]. */
  inputs: Float64Array;
  /** [batch × steps]: when every input is one-hot, the index of its 1 (for a sparse input path). */
  symbols?: Int32Array;
}

export interface PerStepClassBatch extends BatchShape {
  loss: 'ce-per-step';
  /** [batch × steps] class indices in [0, outputSize); a valid index even where masked out. */
  targets: Int32Array;
  /** [batch × steps]: 1 where the step counts in the loss; absent when every step counts. */
  mask?: Uint8Array;
}

export interface LastStepClassBatch extends BatchShape {
  loss: 'ce-last';
  /** [batch] class index of each sequence, read at its last step. */
  targets: Int32Array;
}

export interface LastStepValueBatch extends BatchShape {
  loss: 'mse';
  outputSize: number;
  /** [batch × outputSize] regression target of each sequence, read at its last step. */
  targets: Float64Array;
}

export interface PerStepValueBatch extends BatchShape {
  loss: 'mse-per-step';
  outputSize: number;
  /** [batch × steps × outputSize] regression target of every step. */
  targets: Float64Array;
}

export type Batch = PerStepClassBatch | LastStepClassBatch | LastStepValueBatch | PerStepValueBatch;

/** A window of parallel contiguous streams, for truncated BPTT with a carried state. */
export type StreamBatch = PerStepClassBatch & {
  /** False on the first window of an epoch (start from a zero state), true afterwards. */
  carryState: boolean;
};

/** JSON-serialisable: `spec` recreates the task with `createTask`. */
export interface TaskDescription {
  spec: TaskSpecJson;
  inputSize: number;
  outputSize: number;
  loss: TaskLoss;
  steps: number;
  trainSize: number;
  /** Loss of the best constant prediction (the baseline "chance" level), in nats or squared units. */
  chanceLoss: number;
  /** Accuracy of the best constant prediction (the most frequent class); null for regression tasks. */
  chanceAccuracy: number | null;
  [detail: string]: unknown;
}

/** Options that recreate a task, as stored in config.json. */
export interface TaskSpecJson {
  name: TaskName;
  [option: string]: unknown;
}

export interface Task {
  readonly name: TaskName;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly loss: TaskLoss;
  /** Steps of every training and evaluation sequence. */
  readonly steps: number;
  /** Sequences in one training epoch. */
  readonly trainSize: number;
  /** See `TaskDescription.chanceLoss`. */
  readonly chanceLoss: number;
  /** See `TaskDescription.chanceAccuracy`. */
  readonly chanceAccuracy: number | null;
  /**
   * One epoch of training batches in an order drawn from `rng` (the only randomness used, so a
   * seeded rng gives the same epoch). The last batch may hold fewer than `batchSize` sequences.
   */
  batches(batchSize: number, rng: Rng): Iterable<Batch>;
  /** The fixed validation or test set, always in the same order. */
  evalBatches(split: EvalSplit, batchSize: number): Iterable<Batch>;
  /** Contiguous windows for truncated BPTT (stream tasks only: charlm). */
  streamBatches?(batchSize: number): Iterable<StreamBatch>;
  /**
   * `batch` held-out (validation-split) driving sequences of `steps` steps for the Lyapunov
   * spectrum; sequences longer than one example are consecutive examples joined end to end.
   */
  spectrumInputs(batch: number, steps: number, rng: Rng): InputSequences;
  /**
   * Forecasting tasks: spectra are taken in closed loop (the readout feeding the next input)
   * after `warmup` teacher-forced steps of `spectrumInputs`; the series is sampled every `dt`
   * time units (exponents per time unit are the per-step ones divided by dt).
   */
  readonly closedLoop?: { warmup: number; dt: number };
  describe(): TaskDescription;
  /** Files to store with the run so the task can be rebuilt exactly (name → UTF-8 text). */
  artifacts(): Record<string, string>;
}

/** Throws a RangeError naming `what` unless `value` is an integer in [min, max]. */
export function checkInteger(what: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new TrainConfigError(`${what} is ${String(value)}, expected an integer ${range}`);
  }
  return value;
}

/** One-hot rows [symbols.length × size] of `symbols`. */
export function oneHot(symbols: Int32Array, size: number): Float64Array {
  const out = new Float64Array(symbols.length * size);
  for (let i = 0; i < symbols.length; i++) out[i * size + symbols[i]!] = 1;
  return out;
}

/** Batches of `batchSize` (the last one smaller) over `count` items. */
export function* batchRanges(count: number, batchSize: number): Generator<[start: number, size: number]> {
  checkInteger('batch size', batchSize, 1);
  for (let start = 0; start < count; start += batchSize) yield [start, Math.min(batchSize, count - start)];
}

/** Fisher–Yates shuffle of 0..n−1 drawn from `rng`. */
export function shuffledIndices(n: number, rng: Rng): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}
