import type { FloatArray } from '../../linalg/precision.js';
import { jsDenseOps, type DenseOps } from '../../linalg/gemm/gemm-nt.js';
import type { NetworkSpec } from '../network.js';
import type { CellStep, StepViews } from '../../cells/backward/index.js';
import type { CellKind } from '../../cells/index.js';

/** Where a workspace's arrays live and the products, transposes and cell steps that run on them. */
export interface WorkspaceMemory extends DenseOps {
  allocate(n: number): FloatArray;
  step(cell: CellKind): CellStep;
}

/** Memory for arrays of the given sizes (a WebAssembly arena must be sized before use). */
export type MemoryFactory = (sizes: readonly number[]) => WorkspaceMemory;

/** Everything one layer keeps for a chunk of T steps of B sequences; rows are (t, b), t-major. */
export interface LayerBuffers {
  inputSize: number;
  /** [T·B × G·H] pre-activations, then what each cell's backward reads (see StepViews.gates in cells/backward/step.ts). */
  gates: FloatArray;
  /** [B × G·H] U h + b_hh (GRU). */
  hidden: FloatArray;
  /** [T·B × H] LSTM o ⊙ tanh'(c_t); unused by the GRU and RNN. */
  aux: FloatArray;
  /** [(T+1)·B × H]: row block 0 is the initial state, block t+1 the state after step t. */
  hs: FloatArray;
  /** [(T+1)·B × H] LSTM cell states, same rows. */
  cs: FloatArray;
  /** [T·B × G·H] between a step's forward and backward its local derivatives, then ∂loss/∂(input-side pre-activation) (StepViews.dPreInput). */
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

/** The dense operations (C = A·Bᵀ, transposes, bias sums) and the cell's step run on its arrays. */
export interface Workspace extends DenseOps {
  batch: number;
  steps: number;
  step: CellStep;
  /** Copies of the parameters and the gradient, in this workspace's memory. */
  params: FloatArray;
  grad: FloatArray;
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

export function createWorkspace(
  spec: NetworkSpec, step: CellStep, paramCount: number, memory: MemoryFactory, batch: number, steps: number,
): Workspace {
  // First pass: only the sizes, so the memory can be sized once; second pass: the arrays.
  const sizes: number[] = [];
  const empty = new Float32Array(0);
  buildWorkspace(spec, step, paramCount, { ...jsDenseOps, allocate: (n) => (sizes.push(n), empty), step: () => step }, batch, steps);
  return buildWorkspace(spec, step, paramCount, memory(sizes), batch, steps);
}

function buildWorkspace(
  spec: NetworkSpec, step: CellStep, paramCount: number, memory: WorkspaceMemory, batch: number, steps: number,
): Workspace {
  const make = (n: number) => memory.allocate(n);
  const { hiddenSize: h, inputSize, outputSize: o } = spec;
  const gh = step.gates * h;
  const rows = batch * steps;
  const layers: LayerBuffers[] = [];
  for (let l = 0; l < spec.numLayers; l++) {
    const layerInput = l === 0 ? inputSize : h;
    const gates = make(rows * gh);
    const hidden = make(step.separateProjections ? batch * gh : 0);
    const aux = make(step.gates > 1 ? rows * h : 0);
    const hs = make((steps + 1) * batch * h);
    const cs = make(step.hasCellState ? (steps + 1) * batch * h : 0);
    const dPreInput = make(rows * gh);
    const dPreHidden = step.separateProjections ? make(rows * gh) : dPreInput;
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
    // ∂loss/∂h_t and ∂loss/∂c_t of the step being back-propagated, and what carries to the step before.
    const [dh, dhCarry, dc] = [make(batch * h), make(batch * h), make(batch * h)];
    layers.push({
      inputSize: layerInput,
      gates, hidden, aux, hs, cs, dPreInput, dPreHidden, dh, dhCarry, dc, views,
      dOut: make(rows * h),
      hiddenWeightT: make(h * gh),
      inputWeightT: make(layerInput * gh),
    });
  }
  const gh0 = step.gates * h;
  return {
    batch, steps, layers,
    gemm: memory.gemm,
    transpose: memory.transpose,
    addColumnSums: memory.addColumnSums,
    addRowVector: memory.addRowVector,
    expShifted: memory.expShifted,
    step: memory.step(spec.cell),
    params: make(paramCount),
    grad: make(paramCount),
    dPreT: make(gh0 * rows),
    inputT: make(Math.max(h, inputSize) * rows),
    input: make(rows * inputSize),
    dropped: make(rows * h),
    dropMask: make(rows * h),
    logits: make(rows * o),
    logitsT: make(o * rows),
    readoutT: make(h * o),
    combinedBias: make(gh0),
  };
}
