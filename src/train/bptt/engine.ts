import type { Rng } from '../../linalg/random.js';
import { arrayType, type FloatArray, type FloatArrayConstructor, type Precision } from '../../linalg/precision.js';
import { findTensor, paramLayout, type NetworkSpec, type ParamLayout } from '../network.js';
import { checkBatch, checkInputs, type PassResult, type RecurrentState, type SequenceBatch, type StepSelection, type TrainingBatch } from './batch.js';
import { cellStep, type CellStep } from '../../cells/backward/index.js';
import { backwardLayer, forwardLayer, type LayerInput, type LayerOffsets } from './layer-pass.js';
import { lossAndLogitGradient, lossRows, readoutBackward, readoutForward, type ReadoutAt } from './readout-loss.js';
import type { LinalgBackend } from '../../linalg/backends.js';
import { memoryFactory } from './memory.js';
import { createWorkspace, type MemoryFactory, type Workspace } from './workspace.js';

export interface PassOptions {
  /** Initial state, overwritten with the final state (truncated BPTT). Zero state when absent. */
  state?: RecurrentState;
  /** Inverted dropout on the readout input (training only): keep with probability 1 − p, scale by 1/(1 − p). */
  dropout?: { p: number; rng: Rng };
}

/** Workspaces kept for different (batch, steps) shapes: training, a smaller last batch, evaluation. */
const CACHED_SHAPES = 4;

/**
 * Exact loss gradients by backpropagation through time for a stacked RNN/LSTM/GRU with a
 * linear readout. Parameters and gradients are flat vectors laid out by `paramLayout(spec)`,
 * in the engine's precision. Buffers are allocated once per (batch, steps) shape and reused.
 */
export class BpttEngine {
  readonly layout: ParamLayout;
  private readonly step: CellStep;
  private readonly make: FloatArrayConstructor;
  private readonly layerAt: LayerOffsets[];
  private readonly readoutAt: ReadoutAt;
  private readonly memory: MemoryFactory;
  private readonly workspaces = new Map<string, { ws: Workspace; indices: Int32Array }>();

  constructor(readonly spec: NetworkSpec, readonly precision: Precision = 'float32', backend?: LinalgBackend) {
    this.layout = paramLayout(spec);
    this.step = cellStep(spec.cell);
    this.make = arrayType(precision);
    this.memory = memoryFactory(precision, backend);
    this.layerAt = [];
    for (let l = 0; l < spec.numLayers; l++) {
      const offsetOf = (role: 'weightIh' | 'weightHh' | 'biasIh' | 'biasHh') =>
        spec.bias || role === 'weightIh' || role === 'weightHh' ? findTensor(this.layout, role, l).offset : -1;
      this.layerAt.push({
        weightIh: offsetOf('weightIh'), weightHh: offsetOf('weightHh'),
        biasIh: offsetOf('biasIh'), biasHh: offsetOf('biasHh'),
      });
    }
    this.readoutAt = {
      weight: findTensor(this.layout, 'readoutWeight').offset,
      bias: findTensor(this.layout, 'readoutBias').offset,
      hidden: spec.hiddenSize,
      outputs: spec.outputSize,
    };
  }

  /** A zero state for B sequences (for carrying across chunks). */
  createState(batch: number): RecurrentState {
    const size = batch * this.spec.hiddenSize;
    const layers = Array.from({ length: this.spec.numLayers });
    return {
      batch,
      h: layers.map(() => new this.make(size)),
      c: this.step.hasCellState ? layers.map(() => new this.make(size)) : null,
    };
  }

  /** The loss of a batch and its gradient, written into `grad` (overwritten). */
  gradient(params: FloatArray, grad: FloatArray, batch: TrainingBatch, options: PassOptions = {}): PassResult {
    this.checkVector('gradient', grad);
    checkBatch(batch, this.spec.inputSize, this.spec.outputSize);
    const { ws, input } = this.forward(params, batch, batch.targets.at, options);
    const result = lossAndLogitGradient(ws, batch.targets, this.spec.outputSize, true);
    const theta = ws.params;
    const g = ws.grad;
    g.fill(0);
    const top = ws.layers[ws.layers.length - 1]!;
    const { x, xOffset } = this.readoutInput(ws, options.dropout);
    readoutBackward(ws, x, xOffset, theta, g, this.readoutAt, batch.targets.at, top.dOut);
    if (options.dropout !== undefined && options.dropout.p > 0) {
      const { dOut } = top;
      const mask = ws.dropMask;
      for (let p = 0; p < dOut.length; p++) dOut[p] *= mask[p]!;
    }
    const h = this.spec.hiddenSize;
    for (let l = ws.layers.length - 1; l >= 0; l--) {
      const layer = ws.layers[l]!;
      const layerInput: LayerInput = l === 0 ? input : { kind: 'dense', data: ws.layers[l - 1]!.hs, offset: ws.batch * h };
      backwardLayer(ws.step, ws, layer, layerInput, theta, g, this.layerAt[l]!, h, l === 0 ? null : ws.layers[l - 1]!.dOut);
    }
    grad.set(g);
    return result;
  }

  /** The loss of a batch without gradient; evaluation mode unless `options.dropout` is given. */
  evaluate(params: FloatArray, batch: TrainingBatch, options: PassOptions = {}): PassResult {
    checkBatch(batch, this.spec.inputSize, this.spec.outputSize);
    const { ws } = this.forward(params, batch, batch.targets.at, options);
    return lossAndLogitGradient(ws, batch.targets, this.spec.outputSize, false);
  }

  /** The readout's outputs (logits) at every step, [B × T × O] in (sequence, step, output) order; eval mode. */
  outputs(params: FloatArray, batch: SequenceBatch, options: { state?: RecurrentState } = {}): Float64Array {
    checkInputs(batch, this.spec.inputSize);
    const { ws } = this.forward(params, batch, 'every-step', options);
    const { batch: b, steps: t } = ws;
    const o = this.spec.outputSize;
    const out = new Float64Array(b * t * o);
    for (let k = 0; k < t; k++) {
      for (let s = 0; s < b; s++) out.set(ws.logits.subarray((k * b + s) * o, (k * b + s + 1) * o), (s * t + k) * o);
    }
    return out;
  }

  private forward(params: FloatArray, batch: SequenceBatch, at: StepSelection, options: PassOptions): { ws: Workspace; input: LayerInput } {
    this.checkVector('parameter', params);
    const { ws, indices } = this.workspace(batch.batch, batch.steps);
    ws.params.set(params);
    const { batch: b, steps: t } = ws;
    const h = this.spec.hiddenSize;
    const inputSize = this.spec.inputSize;
    // Inputs come (b, t)-major; the layers read t-major rows.
    let input: LayerInput;
    if (batch.inputs.kind === 'dense') {
      const data = batch.inputs.data;
      for (let s = 0; s < b; s++) {
        for (let k = 0; k < t; k++) {
          const from = (s * t + k) * inputSize;
          const to = (k * b + s) * inputSize;
          for (let i = 0; i < inputSize; i++) ws.input[to + i] = data[from + i]!;
        }
      }
      input = { kind: 'dense', data: ws.input, offset: 0 };
    } else {
      const source = batch.inputs.indices;
      for (let s = 0; s < b; s++) for (let k = 0; k < t; k++) indices[k * b + s] = source[s * t + k]!;
      input = { kind: 'one-hot', indices };
    }
    const state = options.state;
    if (state !== undefined && state.batch !== b) {
      throw new RangeError(`carried state is for ${state.batch} sequences, the batch has ${b}`);
    }
    for (let l = 0; l < ws.layers.length; l++) {
      const layer = ws.layers[l]!;
      if (state === undefined) {
        layer.hs.fill(0, 0, b * h);
        if (this.step.hasCellState) layer.cs.fill(0, 0, b * h);
      } else {
        layer.hs.set(state.h[l]!, 0);
        if (this.step.hasCellState) layer.cs.set(state.c![l]!, 0);
      }
      const layerInput: LayerInput = l === 0 ? input : { kind: 'dense', data: ws.layers[l - 1]!.hs, offset: b * h };
      forwardLayer(ws.step, ws, layer, layerInput, ws.params, this.layerAt[l]!, h);
      if (state !== undefined) {
        state.h[l]!.set(layer.hs.subarray(t * b * h));
        if (this.step.hasCellState) state.c![l]!.set(layer.cs.subarray(t * b * h));
      }
    }
    const dropout = options.dropout;
    if (dropout !== undefined && dropout.p > 0) this.dropReadoutInput(ws, at, dropout);
    const { x, xOffset } = this.readoutInput(ws, dropout);
    readoutForward(ws, x, xOffset, ws.params, this.readoutAt, at);
    return { ws, input };
  }

  /** The readout reads the top layer's h_1..h_T, or its dropped-out copy. */
  private readoutInput(ws: Workspace, dropout?: { p: number }): { x: FloatArray; xOffset: number } {
    if (dropout !== undefined && dropout.p > 0) return { x: ws.dropped, xOffset: 0 };
    return { x: ws.layers[ws.layers.length - 1]!.hs, xOffset: ws.batch * this.spec.hiddenSize };
  }

  private dropReadoutInput(ws: Workspace, at: StepSelection, dropout: { p: number; rng: Rng }): void {
    const { p, rng } = dropout;
    if (!(p >= 0 && p < 1)) throw new RangeError(`dropout probability must be in [0, 1), got ${p}`);
    const h = this.spec.hiddenSize;
    const top = ws.layers[ws.layers.length - 1]!.hs;
    const { first, count } = lossRows(ws, at);
    const keep = 1 / (1 - p);
    const mask = ws.dropMask;
    mask.fill(0);
    for (let q = first * h; q < (first + count) * h; q++) {
      const m = rng.uniform() < p ? 0 : keep;
      mask[q] = m;
      ws.dropped[q] = top[ws.batch * h + q]! * m;
    }
  }

  private workspace(batch: number, steps: number): { ws: Workspace; indices: Int32Array } {
    const key = `${batch}x${steps}`;
    let entry = this.workspaces.get(key);
    if (entry === undefined) {
      if (this.workspaces.size >= CACHED_SHAPES) this.workspaces.delete(this.workspaces.keys().next().value!);
      entry = {
        ws: createWorkspace(this.spec, this.step, this.layout.size, this.memory, batch, steps),
        indices: new Int32Array(batch * steps),
      };
      this.workspaces.set(key, entry);
    } else {
      // Most recently used last, so the oldest shape is dropped first.
      this.workspaces.delete(key);
      this.workspaces.set(key, entry);
    }
    return entry;
  }

  private checkVector(what: string, values: FloatArray): void {
    if (values.length !== this.layout.size) {
      throw new RangeError(`${what} vector has ${values.length} entries, expected ${this.layout.size} for this network`);
    }
    if (!(values instanceof this.make)) {
      throw new RangeError(`${what} vector is a ${values.constructor.name}, expected the engine's ${this.precision} (${this.make.name})`);
    }
  }
}
