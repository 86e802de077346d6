import type { FloatArray } from '../../linalg/precision.js';

/** The inputs of B sequences of T steps. */
export type SequenceInputs =
  /** [B × T × I] row-major (sequence, step, feature). */
  | { kind: 'dense'; data: ArrayLike<number> }
  /** [B × T] indices in [0, I): the input is the one-hot vector of that index (W x is a column of W). */
  | { kind: 'one-hot'; indices: Int32Array };

/** Which steps the loss reads: every step, or the last step of each sequence only. */
export type StepSelection = 'every-step' | 'last-step';

export type Targets =
  /**
   * Softmax cross-entropy, mean over the positions that count. classes: [B × T] (every step)
   * or [B] (last step), in [0, O); a negative class, or mask 0 ([B × T], every step only),
   * leaves the position out of the loss and of the mean.
   */
  | { loss: 'cross-entropy'; at: StepSelection; classes: Int32Array; mask?: Uint8Array }
  /** Mean squared error over every element (like F.mse_loss): values [B × T × O] or [B × O]. */
  | { loss: 'mse'; at: StepSelection; values: ArrayLike<number> };

/** B sequences of T steps. */
export interface SequenceBatch {
  batch: number;
  steps: number;
  inputs: SequenceInputs;
}

export interface TrainingBatch extends SequenceBatch {
  targets: Targets;
}

/** What one pass measured. `loss` is the mean over `count` positions (CE) or elements (MSE). */
export interface PassResult {
  loss: number;
  count: number;
  /** Cross-entropy only: positions whose largest logit is the target class. */
  correct: number | null;
}

/**
 * The recurrent state carried between chunks of a long stream (truncated BPTT): read as the
 * initial state of a pass and overwritten with its final state; gradients stop at it.
 * h[l], c[l]: [B × H] of layer l (c for LSTM only).
 */
export interface RecurrentState {
  batch: number;
  h: FloatArray[];
  c: FloatArray[] | null;
}

export function checkBatch(batch: TrainingBatch, inputSize: number, outputSize: number): void {
  checkInputs(batch, inputSize);
  checkTargets(batch, outputSize);
}

export function checkInputs(batch: SequenceBatch, inputSize: number): void {
  const { batch: b, steps: t, inputs } = batch;
  if (!Number.isInteger(b) || b < 1) throw new RangeError(`training batch size must be an integer ≥ 1, got ${b}`);
  if (!Number.isInteger(t) || t < 1) throw new RangeError(`training batch steps must be an integer ≥ 1, got ${t}`);
  if (inputs.kind === 'dense') {
    expectLength('dense inputs', inputs.data.length, b * t * inputSize, `[${b}, ${t}, ${inputSize}]`);
  } else if (inputs.kind === 'one-hot') {
    expectLength('one-hot input indices', inputs.indices.length, b * t, `[${b}, ${t}]`);
    for (let i = 0; i < inputs.indices.length; i++) {
      const k = inputs.indices[i]!;
      if (!(k >= 0 && k < inputSize)) {
        throw new RangeError(`one-hot input index ${k} at position ${i} is outside [0, ${inputSize})`);
      }
    }
  } else {
    throw new RangeError(`inputs kind must be 'dense' or 'one-hot', got ${String((inputs as { kind: unknown }).kind)}`);
  }
}

function checkTargets(batch: TrainingBatch, outputSize: number): void {
  const { batch: b, steps: t, targets } = batch;
  const rows = targets.at === 'every-step' ? b * t : targets.at === 'last-step' ? b : NaN;
  if (Number.isNaN(rows)) throw new RangeError(`targets.at must be 'every-step' or 'last-step', got ${String(targets.at)}`);
  const shape = targets.at === 'every-step' ? `${b}, ${t}` : `${b}`;
  if (targets.loss === 'cross-entropy') {
    expectLength('cross-entropy target classes', targets.classes.length, rows, `[${shape}]`);
    for (let i = 0; i < targets.classes.length; i++) {
      if (targets.classes[i]! >= outputSize) {
        throw new RangeError(`target class ${targets.classes[i]} at position ${i} is outside [0, ${outputSize})`);
      }
    }
    if (targets.mask !== undefined) {
      if (targets.at !== 'every-step') throw new RangeError('a target mask is only allowed with at: every-step');
      expectLength('target mask', targets.mask.length, rows, `[${shape}]`);
    }
  } else if (targets.loss === 'mse') {
    expectLength('MSE target values', targets.values.length, rows * outputSize, `[${shape}, ${outputSize}]`);
  } else {
    throw new RangeError(`targets.loss must be 'cross-entropy' or 'mse', got ${String((targets as { loss: unknown }).loss)}`);
  }
}

function expectLength(what: string, got: number, expected: number, shape: string): void {
  if (got !== expected) throw new RangeError(`${what} have ${got} entries, expected ${expected} (shape ${shape})`);
}
