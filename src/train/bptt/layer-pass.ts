import type { FloatArray } from '../../linalg/precision.js';
import type { CellStep } from '../../cells/backward/index.js';
import type { LayerBuffers, Workspace } from './workspace.js';

/** Offsets of one layer's tensors in the flat parameter (and gradient) vector; -1 when absent. */
export interface LayerOffsets {
  weightIh: number;
  weightHh: number;
  biasIh: number;
  biasHh: number;
}

/** The input of a layer: a t-major [T·B × I] block, or one-hot indices in t-major order. */
export type LayerInput =
  | { kind: 'dense'; data: FloatArray; offset: number }
  | { kind: 'one-hot'; indices: Int32Array };

/**
 * Runs one layer over the chunk: all input projections W x_t as one product, then per step
 * U h_{t-1} (one B×H by H×G·H product) and the cell's nonlinearity. hs/cs row block 0 must
 * hold the initial state.
 */
export function forwardLayer(
  step: CellStep, ws: Workspace, layer: LayerBuffers, input: LayerInput,
  params: FloatArray, at: LayerOffsets, hidden: number,
): void {
  const { batch, steps } = ws;
  const gh = step.gates * hidden;
  const rows = batch * steps;
  const inputSize = layer.inputSize;
  if (input.kind === 'dense') {
    ws.gemm(rows, gh, inputSize, input.data, input.offset, params, at.weightIh, layer.gates, 0, false);
  } else {
    // W x for a one-hot x is a column of W: gather rows of Wᵀ.
    ws.transpose(gh, inputSize, params, at.weightIh, layer.inputWeightT, 0);
    const wt = layer.inputWeightT;
    for (let r = 0; r < rows; r++) {
      const from = input.indices[r]! * gh;
      layer.gates.set(wt.subarray(from, from + gh), r * gh);
    }
  }
  if (at.biasIh >= 0) {
    if (step.separateProjections) {
      ws.addRowVector(rows, gh, layer.gates, 0, params, at.biasIh);
    } else {
      const both = ws.combinedBias;
      for (let j = 0; j < gh; j++) both[j] = params[at.biasIh + j]! + params[at.biasHh + j]!;
      ws.addRowVector(rows, gh, layer.gates, 0, both, 0);
    }
  }
  for (let t = 0; t < steps; t++) {
    const v = layer.views[t]!;
    if (step.separateProjections) {
      ws.gemm(batch, gh, hidden, layer.hs, t * batch * hidden, params, at.weightHh, v.hidden, 0, false);
      if (at.biasHh >= 0) ws.addRowVector(batch, gh, v.hidden, 0, params, at.biasHh);
    } else {
      ws.gemm(batch, gh, hidden, layer.hs, t * batch * hidden, params, at.weightHh, v.gates, 0, true);
    }
    step.forward(batch, hidden, v);
  }
}

/**
 * Backpropagation through the chunk for one layer, from ∂loss/∂h_t in `layer.dOut`. The
 * gradient stops at the initial state (truncated BPTT). Weight gradients are accumulated as
 * whole-chunk products (∂U = Σ_t ∂pre_tᵀ h_{t-1} as one G·H×H product over T·B rows, ordered
 * so each entry is a contiguous dot product). When `inputGradient` is given it receives
 * ∂loss/∂x_t ([T·B × I], overwritten): the layer below's dOut.
 */
export function backwardLayer(
  step: CellStep, ws: Workspace, layer: LayerBuffers, input: LayerInput,
  params: FloatArray, grad: FloatArray, at: LayerOffsets, hidden: number,
  inputGradient: FloatArray | null,
): void {
  const { batch, steps } = ws;
  const gh = step.gates * hidden;
  const rows = batch * steps;
  const bh = batch * hidden;
  const inputSize = layer.inputSize;
  const { dh, dhCarry, dc, dOut } = layer;
  ws.transpose(gh, hidden, params, at.weightHh, layer.hiddenWeightT, 0);
  dhCarry.fill(0);
  dc.fill(0);
  for (let t = steps - 1; t >= 0; t--) {
    const v = layer.views[t]!;
    const o = t * bh;
    for (let p = 0; p < bh; p++) dh[p] = dOut[o + p]! + dhCarry[p]!;
    step.backward(batch, hidden, v, dh, dc, dhCarry);
    if (t > 0) ws.gemm(batch, hidden, gh, v.dPreHidden, 0, layer.hiddenWeightT, 0, dhCarry, 0, step.directHidden);
  }

  const dPreT = ws.dPreT;
  const inputT = ws.inputT;
  ws.transpose(rows, gh, layer.dPreHidden, 0, dPreT, 0);
  ws.transpose(rows, hidden, layer.hs, 0, inputT, 0);
  ws.gemm(gh, hidden, rows, dPreT, 0, inputT, 0, grad, at.weightHh, true);
  if (at.biasHh >= 0) ws.addColumnSums(rows, gh, layer.dPreHidden, 0, grad, at.biasHh);
  if (at.biasIh >= 0) ws.addColumnSums(rows, gh, layer.dPreInput, 0, grad, at.biasIh);

  if (input.kind === 'dense') {
    if (step.separateProjections) ws.transpose(rows, gh, layer.dPreInput, 0, dPreT, 0);
    ws.transpose(rows, inputSize, input.data, input.offset, inputT, 0);
    ws.gemm(gh, inputSize, rows, dPreT, 0, inputT, 0, grad, at.weightIh, true);
  } else {
    // ∂W[:, k] = Σ over rows whose input is e_k of ∂pre: summed as contiguous rows of ∂Wᵀ
    // (the Wᵀ scratch is free again), then added transposed.
    const dPre = layer.dPreInput;
    const dWt = layer.inputWeightT;
    dWt.fill(0);
    for (let r = 0; r < rows; r++) {
      const to = input.indices[r]! * gh;
      const from = r * gh;
      for (let j = 0; j < gh; j++) dWt[to + j] += dPre[from + j]!;
    }
    for (let j = 0; j < gh; j++) {
      const row = at.weightIh + j * inputSize;
      for (let k = 0; k < inputSize; k++) grad[row + k] += dWt[k * gh + j]!;
    }
  }

  if (inputGradient !== null) {
    ws.transpose(gh, inputSize, params, at.weightIh, layer.inputWeightT, 0);
    ws.gemm(rows, inputSize, gh, layer.dPreInput, 0, layer.inputWeightT, 0, inputGradient, 0, false);
  }
}
