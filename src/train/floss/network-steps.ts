import type { InputSequences, LayerWeights, RnnModel } from '../../cells/model.js';
import { FlossingError } from '../errors.js';
import { layerStep, type LayerState, type LayerTangent, type TapeLayerWeights } from './cell-step.js';
import { qrNode } from './qr-node.js';
import { Tensor, type Tape } from './tape.js';

/** What the steps of the network on a tape need of a flossing run. */
export interface StepShape {
  batch: number;
  k: number;
  /** The LSTM's tangent includes δc (the joint state). */
  joint: boolean;
  inputs: InputSequences;
}

/** Each layer's state values (c for the LSTM): a checkpoint, or the gradient carried back to one. */
export type StateValues = { h: Float64Array; c: Float64Array | null }[];

/** The model's weights as tape leaves (their arrays, not copies: nothing writes them). */
export function tapeWeights(model: RnnModel, w: LayerWeights, l: number): TapeLayerWeights {
  const gh = w.weightHh.length / model.hiddenSize;
  const leaf = (rows: number, cols: number, value: Float64Array) => new Tensor(rows, cols, value, true);
  return {
    weightIh: leaf(gh, l === 0 ? model.inputSize : model.hiddenSize, w.weightIh),
    weightHh: leaf(gh, model.hiddenSize, w.weightHh),
    biasIh: w.biasIh === undefined ? null : leaf(1, gh, w.biasIh),
    biasHh: w.biasHh === undefined ? null : leaf(1, gh, w.biasHh),
  };
}

/** A state as [B × H] tensors: leaves (a recomputed segment's start, whose gradient is carried back) or constants. */
export function toTensors(state: StateValues, batch: number, leaves: boolean): LayerState[] {
  const make = (v: Float64Array) => new Tensor(batch, v.length / batch, v, leaves);
  return state.map((l) => ({ h: make(l.h), c: l.c === null ? null : make(l.c) }));
}

/**
 * Steps [from, to) of every trajectory on `tape`: each step runs every layer's cell step and
 * tangent map, then the QR of the new tangent vectors; `onLogDiag(t, log R_ii [B × k])` hears each.
 */
export function runSteps(
  tape: Tape, model: RnnModel, run: StepShape, weights: TapeLayerWeights[], from: number, to: number,
  state: LayerState[], q: Tensor, onLogDiag: (t: number, logDiag: Tensor) => void,
): { state: LayerState[]; q: Tensor } {
  const { batch: B, k, inputs } = run;
  const H = model.hiddenSize;
  const I = model.inputSize;
  for (let t = from; t < to; t++) {
    const x = new Float64Array(B * I);
    for (let b = 0; b < B; b++) x.set(inputs.data.subarray((b * inputs.steps + t) * I, (b * inputs.steps + t + 1) * I), b * I);
    let input = tape.constant(B, I, x);
    let dInput: Tensor | null = null;
    const next: LayerState[] = [];
    const images: Tensor[] = [];
    const rows = run.joint ? 2 * H : H;
    model.layers.forEach((_, l) => {
      const tangent: LayerTangent = {
        dh: tape.columns(q, l * rows, H),
        dc: run.joint ? tape.columns(q, l * rows + H, H) : null,
      };
      const stepped = layerStep(tape, model.cell, weights[l]!, k, input, dInput, state[l]!, tangent);
      next.push(stepped.state);
      images.push(stepped.tangent.dh);
      if (stepped.tangent.dc !== null) images.push(stepped.tangent.dc);
      input = stepped.state.h;
      dInput = stepped.tangent.dh;
    });
    const z = images.length === 1 ? images[0]! : tape.concatColumns(images);
    const qr = qrNode(tape, z, B, k);
    checkExponents(qr.logDiag, t, k);
    onLogDiag(t, qr.logDiag);
    state = next;
    q = qr.q;
  }
  return { state, q };
}

function checkExponents(logDiag: Tensor, t: number, k: number): void {
  const v = logDiag.value;
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i]!)) {
      throw new FlossingError(
        `flossing: log R_${(i % k) + 1}${(i % k) + 1} of trajectory ${Math.floor(i / k)} at step ${t} is ${v[i]} — the tangent map ` +
          (v[i] === -Infinity ? 'annihilated a direction (dead relu units or fully saturated gates): lower k' : 'left the floating-point range: check the weights'),
      );
    }
  }
}
