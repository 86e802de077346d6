import type { FloatArray } from '../../linalg/precision.js';
import type { PassResult, StepSelection, Targets } from './batch.js';
import type { Workspace } from './workspace.js';

/** Where the readout's tensors are in the flat vector, and its sizes. */
export interface ReadoutAt {
  weight: number;
  bias: number;
  hidden: number;
  outputs: number;
}

/** The rows (t-major, t·B + b) the loss reads: every step, or the last step's B rows. */
export function lossRows(ws: Workspace, at: StepSelection): { first: number; count: number } {
  return at === 'every-step'
    ? { first: 0, count: ws.batch * ws.steps }
    : { first: (ws.steps - 1) * ws.batch, count: ws.batch };
}

/** logits = x·Rᵀ + r for the rows read; x is the top layer's h (after dropout) in t-major rows. */
export function readoutForward(ws: Workspace, x: FloatArray, xOffset: number, params: FloatArray, at: ReadoutAt, steps: StepSelection): void {
  const { first, count } = lossRows(ws, steps);
  ws.gemm(count, at.outputs, at.hidden, x, xOffset + first * at.hidden, params, at.weight, ws.logits, 0, false);
  ws.addRowVector(count, at.outputs, ws.logits, 0, params, at.bias);
}

/**
 * The loss of the logits in `ws.logits`, which it replaces with ∂loss/∂logits when
 * `withGradient` (without, the loss rows of `ws.logits` are left as scratch). Targets are indexed
 * (b, t) as given; loss rows are t-major.
 */
export function lossAndLogitGradient(ws: Workspace, targets: Targets, outputs: number, withGradient: boolean): PassResult {
  const { batch, steps } = ws;
  const { first, count: rows } = lossRows(ws, targets.at);
  const logits = ws.logits;
  const perStep = targets.at === 'every-step';
  // Index of the target of loss row r in the (b, t) order of the targets.
  const targetIndex = (r: number) => {
    const b = (first + r) % batch;
    return perStep ? b * steps + Math.floor((first + r) / batch) : b;
  };
  if (targets.loss === 'mse') {
    const elements = rows * outputs;
    let sum = 0;
    for (let r = 0; r < rows; r++) {
      const y = targetIndex(r) * outputs;
      for (let j = 0; j < outputs; j++) {
        const d = logits[r * outputs + j]! - targets.values[y + j]!;
        sum += d * d;
        if (withGradient) logits[r * outputs + j] = (2 * d) / elements;
      }
    }
    return { loss: sum / elements, count: elements, correct: null };
  }
  let sum = 0;
  let counted = 0;
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const q = r * outputs;
    const index = targetIndex(r);
    const target = targets.classes[index]!;
    const counts = target >= 0 && (targets.mask === undefined || targets.mask[index] !== 0);
    let max = -Infinity;
    let argmax = 0;
    for (let j = 0; j < outputs; j++) {
      const z = logits[q + j]!;
      if (z > max) {
        max = z;
        argmax = j;
      }
    }
    if (!counts) {
      if (withGradient) for (let j = 0; j < outputs; j++) logits[q + j] = 0;
      continue;
    }
    // One exponential per logit: e^{z − max} replaces z (the logits are scratch from here on)
    // and, with a gradient, is divided by the norm.
    const targetLogit = logits[q + target]!;
    const norm = ws.expShifted(outputs, logits, q, max);
    sum += max + Math.log(norm) - targetLogit;
    counted++;
    if (argmax === target) correct++;
    if (withGradient) {
      // Softmax probabilities for now; the 1/count scale is applied once the count is known.
      for (let j = 0; j < outputs; j++) logits[q + j] = logits[q + j]! / norm;
      logits[q + target] -= 1;
    }
  }
  if (withGradient && counted > 0) {
    const scale = 1 / counted;
    for (let p = 0; p < rows * outputs; p++) logits[p] *= scale;
  }
  if (counted === 0) return { loss: 0, count: 0, correct: 0 };
  return { loss: sum / counted, count: counted, correct };
}

/**
 * From ∂loss/∂logits (in ws.logits): accumulates the readout's gradient and writes ∂loss/∂x
 * into dx ([T·B × H], rows outside the loss rows set to 0).
 */
export function readoutBackward(
  ws: Workspace, x: FloatArray, xOffset: number, params: FloatArray, grad: FloatArray, at: ReadoutAt,
  steps: StepSelection, dx: FloatArray,
): void {
  const { first, count } = lossRows(ws, steps);
  const { hidden, outputs } = at;
  ws.transpose(count, outputs, ws.logits, 0, ws.logitsT, 0);
  ws.transpose(count, hidden, x, xOffset + first * hidden, ws.inputT, 0);
  ws.gemm(outputs, hidden, count, ws.logitsT, 0, ws.inputT, 0, grad, at.weight, true);
  ws.addColumnSums(count, outputs, ws.logits, 0, grad, at.bias);
  ws.transpose(outputs, hidden, params, at.weight, ws.readoutT, 0);
  dx.fill(0, 0, first * hidden);
  ws.gemm(count, hidden, outputs, ws.logits, 0, ws.readoutT, 0, dx, first * hidden, false);
}
