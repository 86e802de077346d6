import type { FloatArray, FloatArrayConstructor } from '../precision.js';
import type { NetworkSpec } from '../network.js';
import type { CellStep, StepViews } from './cell-step.js';

/** Everything one layer keeps for a chunk of T steps of B sequences; rows are (t, b), t-major. */
export interface LayerBuffers {
  inputSize: number;
  /** [T·B × G·H] pre-activations, then gate activations (the backward cache). */
  gates: FloatArray;
  /** [B × G·H] U h + b_hh (GRU). */
  hidden: FloatArray;
  /** [T·B × H] LSTM tanh(c_t), GRU U_n h + b_hn. */
  aux: FloatArray;
  /** [(T+1)·B × H]: row block 0 is the initial state, block t+1 the state after step t. */
  hs: FloatArray;
  /** [(T+1)·B × H] LSTM cell states, same rows. */
  cs: FloatArray;
  dPreInput: FloatArray;
  dPreHidden: FloatArray;
  /** [T·B × H] ∂loss/∂h_t from above (readout or the next layer's input). */
  dOut: FloatArray;
  /** [B × H] scratch: total ∂loss/∂h_t, carried ∂loss/∂h_{t-1}, carried ∂loss/∂c. */
  dh: FloatArray;
  dhCarry: FloatArray;
  dc: FloatArray;
  /** [H × G·H] Uᵀ and [I × G·H] Wᵀ of the current parameters. */
  hiddenWeightT: FloatArray;
  inputWeightT: FloatArray;
  views: StepViews[];
}

export interface Workspace {
  batch: number;
  steps: number;
  layers: LayerBuffers[];
  /** [G·H × T·B] transposed ∂pre, [max(H, I) × T·B] transposed layer input. */
  dPreT: FloatArray;
  inputT: FloatArray;
  /** [T·B × I] layer-0 dense inputs in t-major rows. */
  input: FloatArray;
  /** [T·B × H] readout input after dropout, and the dropout multipliers. */
  dropped: FloatArray;
  dropMask: FloatArray;
  /** [T·B × O] logits, then ∂loss/∂logits; [O × T·B] and [H × O] transposes for the readout gradient. */
  logits: FloatArray;
  logitsT: FloatArray;
  readoutT: FloatArray;
  /** [G·H] b_ih + b_hh of cells that add them together. */
  combinedBias: FloatArray;
}

export function createWorkspace(spec: NetworkSpec, step: CellStep, make: FloatArrayConstructor, batch: number, steps: number): Workspace {
  const { hiddenSize: h, inputSize, outputSize: o } = spec;
  const gh = step.gates * h;
  const rows = batch * steps;
  const layers: LayerBuffers[] = [];
  for (let l = 0; l < spec.numLayers; l++) {
    const layerInput = l === 0 ? inputSize : h;
    const gates = new make(rows * gh);
    const hidden = new make(step.separateHidden ? batch * gh : 0);
    const aux = new make(step.gates > 1 ? rows * h : 0);
    const hs = new make((steps + 1) * batch * h);
    const cs = new make(step.hasCellState ? (steps + 1) * batch * h : 0);
    const dPreInput = new make(rows * gh);
    const dPreHidden = step.separateHidden ? new make(rows * gh) : dPreInput;
    const views: StepViews[] = [];
    const rowBlock = (a: FloatArray, width: number, t: number) => (a.length === 0 ? a : a.subarray(t * batch * width, (t + 1) * batch * width));
    for (let t = 0; t < steps; t++) {
      views.push({
        gates: rowBlock(gates, gh, t),
        hidden,
        aux: rowBlock(aux, h, t),
        hPrev: rowBlock(hs, h, t),
        h: rowBlock(hs, h, t + 1),
        cPrev: rowBlock(cs, h, t),
        c: rowBlock(cs, h, t + 1),
        dPreInput: rowBlock(dPreInput, gh, t),
        dPreHidden: rowBlock(dPreHidden, gh, t),
      });
    }
    layers.push({
      inputSize: layerInput,
      gates, hidden, aux, hs, cs, dPreInput, dPreHidden,
      dOut: new make(rows * h),
      dh: new make(batch * h),
      dhCarry: new make(batch * h),
      dc: new make(batch * h),
      hiddenWeightT: new make(h * gh),
      inputWeightT: new make(layerInput * gh),
      views,
    });
  }
  const gh0 = step.gates * h;
  return {
    batch, steps, layers,
    dPreT: new make(gh0 * rows),
    inputT: new make(Math.max(h, inputSize) * rows),
    input: new make(rows * inputSize),
    dropped: new make(rows * h),
    dropMask: new make(rows * h),
    logits: new make(rows * o),
    logitsT: new make(o * rows),
    readoutT: new make(h * o),
    combinedBias: new make(gh0),
  };
}
