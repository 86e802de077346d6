import { OptionError } from '../errors.js';
import type { LinalgKernels } from '../linalg/kernels.js';
import { referenceKernels } from '../linalg/reference.js';
import { logAbsDet } from '../linalg/lu-logdet.js';
import { denseJacobians } from '../lyapunov/jacobian.js';
import type { FormedJacobian, LogDetSystem, RewindableSystem } from '../lyapunov/system.js';
import { gatherRows, scatterRows } from './block-rows.js';
import { formRows } from '../linalg/formed-rows.js';
import { formedIsCheaper, TANGENT_PATHS, type TangentPath } from './formed-matrices.js';
import { GruLayer } from './gru-layer.js';
import type { CellLayer } from './layer.js';
import { LstmLayer } from './lstm-layer.js';
import { gateCount, stateDimension, type InputSource, type LstmState, type RnnModel } from './model.js';
import { RnnLayer } from './rnn-layer.js';
import { checkTensor, readInputStep, validateInputs, validateModel } from './validate.js';

export interface CellSystemOptions {
  /** LSTM only: track the joint (h, c) state (default) or h alone at fixed c. */
  lstmState?: LstmState;
  /** Kernels of the tangent map (and of the forward step unless `forwardKernels` is given). */
  kernels?: LinalgKernels;
  /**
   * Kernels of the forward step. With float32 tangent kernels, pass float64 ones here: the
   * trajectory then stays float64 and only the tangent dynamics are rounded to float32.
   */
  forwardKernels?: LinalgKernels;
  /** Initial states, B×n in the system's state layout; default zeros. */
  initialState?: Float64Array;
  /** LSTM 'h' mode only: initial cell states, B×L×H (trajectory, layer, unit); default zeros. */
  initialCell?: Float64Array;
  /**
   * How `tangent` computes J·Q (the same derivative either way, equal to rounding): 'structured'
   * multiplies all B·k vectors by the G·H×H weights in one kernel call per layer, 'formed' forms
   * each trajectory's derivative matrix per layer first (H×H, or 2H×H for the joint LSTM's
   * [h'; c'], against G·H×H for G = 3 or 4 gates); 'auto' (default) takes whichever costs less
   * for the k of each call (formed from k ≈ 4·G on with the WebAssembly kernels; never for RNNs,
   * where G = 1).
   */
  tangentPath?: TangentPath;
}

/**
 * A recurrent network driven by a batch of input sequences, as a TangentSystem.
 * State of one trajectory: layers in order; per layer [h_l] (RNN, GRU, LSTM 'h' mode) or
 * [h_l, c_l] (LSTM 'joint'). So dim = L·H, or 2·L·H for a joint LSTM.
 */
export interface CellSystem extends LogDetSystem, RewindableSystem {
  readonly model: RnnModel;
  readonly inputSize: number;
  readonly inputs: InputSource;
  /** The LSTM state mode; undefined for other cells. */
  readonly lstmState: LstmState | undefined;
  /** Top-layer h after the last step, B×H (a copy). */
  output(): Float64Array;
  /** Back to the given initial states (default zeros); see CellSystemOptions for the shapes. */
  reset(initialState?: Float64Array, initialCell?: Float64Array): void;
  /**
   * out = J_b of the last step, n×n row-major, formed in O(n²) (see JacobianSystem); present only
   * for one-layer networks with an h-only state (RNN, GRU, the h-only LSTM).
   */
  readonly formJacobian?: (b: number, out: Float64Array) => void;
  /** formJacobian's J_b as the terms of the layer's formed matrix (not in closed loop), for the kernels to form. */
  readonly formedJacobian?: FormedJacobian;
  /**
   * out[b] = log|det J_b| of the last step. Closed form for vanilla RNNs (the stacked Jacobian
   * is block lower-triangular and each diagonal block is D(φ') U); O(n³) through the dense
   * Jacobian for gated cells.
   */
  logAbsDet(out: Float64Array): void;
}

export function createCellSystem(model: RnnModel, inputs: InputSource, options: CellSystemOptions = {}): CellSystem {
  return new CellNetworkSystem(model, inputs, options);
}

/**
 * A cell system whose layer 0 is also driven by the top layer's h before the step, through
 * `feedback` (G·H×H row-major): the closed loop of closed-loop.ts, where feedback = W_ih0·W_out
 * and `inputs` is the stream that feeds the readout W_out·h_top + b_out. The feedback path makes
 * the Jacobian's block row of layer 0 non-zero in the top layer's columns (no longer block
 * lower-triangular), but the tangent stays one bottom-up sweep: that path reads the top layer's
 * rows of Q, the perturbation before the step, which are known before any layer is updated.
 */
export function createFeedbackCellSystem(
  model: RnnModel, inputs: InputSource, feedback: Float64Array, options: CellSystemOptions = {},
): CellSystem {
  return new CellNetworkSystem(model, inputs, options, feedback);
}

/** Work blocks of the structured tangent with k vectors per trajectory: H×(B·k) compact blocks. */
interface StructuredBuffers {
  path: 'structured';
  dhOld: Float64Array;
  dcOld: Float64Array;
  /** The top layer's δh before the step, H×(B·k), gathered for the feedback path (several layers). */
  dhTop: Float64Array;
  fromInput: Float64Array;
  fromHidden: Float64Array;
  dhNew: Float64Array[];
  dcNew: Float64Array;
}

/** Work arrays of the formed tangent: one layer's formed matrix and what forms it (none of them scale with k). */
interface FormedBuffers {
  path: 'formed';
  /** G·R coefficients of the formed matrix. */
  coef: Float64Array;
  /** H entries added to the formed matrix's diagonal (GRU). */
  diagonal: Float64Array;
  /** Every trajectory's R factors of δc in the new rows (joint LSTM), B·R. */
  couplings: Float64Array;
  /** The formed matrix, R×H row-major. */
  matrix: Float64Array;
  /** Every trajectory's coefficients (B·G·R) and diagonal (B·H), for kernels.formedProducts. */
  coefs: Float64Array;
  diagonals: Float64Array;
}

/** Allocated once per k. */
type TangentBuffers = StructuredBuffers | FormedBuffers;

const EMPTY = new Float64Array(0);

class CellNetworkSystem implements CellSystem {
  readonly dim: number;
  readonly batch: number;
  readonly dt = 1;
  readonly timeUnit = 'step';
  readonly state: Float64Array;
  readonly inputSize: number;
  readonly lstmState: LstmState | undefined;

  private readonly kernels: LinalgKernels;
  private readonly forwardKernels: LinalgKernels;
  private readonly hidden: number;
  private readonly layers: CellLayer[];
  /** Rows one layer occupies in a trajectory's state: H, or 2H for the joint LSTM. */
  private readonly layerRows: number;
  private readonly hasCell: boolean;
  private readonly joint: boolean;
  /** LSTM 'h' mode keeps c here, B×L×H, outside the state. */
  private readonly hiddenCell: Float64Array | null;
  /** One layer, h-only: q and out already are the H×(B·k) blocks the layer works on. */
  private readonly direct: boolean;
  private readonly fwd: {
    x: Float64Array; hOld: Float64Array; cOld: Float64Array;
    fromInput: Float64Array; fromHidden: Float64Array; hNew: Float64Array[]; cNew: Float64Array;
  };
  private readonly tangentBuffers = new Map<number, TangentBuffers>();
  /**
   * J_b of the last step, n×n row-major, in O(n²): the layer's formed matrix (see JacobianSystem).
   * Only where multiplying a dense Jacobian is what the tangent map costs anyway: one layer, h
   * only (RNN, GRU, the h-only LSTM). The joint LSTM's tangent map uses its diagonal δc blocks
   * and needs half the flops of a dense product, which makes up for forming Q.
   */
  readonly formJacobian?: (b: number, out: Float64Array) => void;
  /** formJacobian's J_b as the terms of its formed matrix, without the closed loop's second one. */
  readonly formedJacobian?: FormedJacobian;
  private readonly tangentPath: TangentPath;
  private stepped = false;
  /** The formed path's work arrays, which do not depend on k: one set for every k and for formJacobian. */
  private formedWork: FormedBuffers | undefined;

  /** G·H×H: how the top layer's h before the step drives layer 0 (closed loop), or null. */
  private readonly feedback: Float64Array | null;

  constructor(readonly model: RnnModel, readonly inputs: InputSource, options: CellSystemOptions, feedback?: Float64Array) {
    validateModel(model);
    validateInputs(model, inputs);
    const lstmState = options.lstmState ?? 'joint';
    if (lstmState !== 'joint' && lstmState !== 'h') {
      throw new OptionError(`lstmState is '${String(lstmState)}', expected 'joint' or 'h'`);
    }
    const tangentPath = options.tangentPath ?? 'auto';
    if (!TANGENT_PATHS.includes(tangentPath)) {
      throw new OptionError(`tangentPath is '${String(tangentPath)}', expected one of ${TANGENT_PATHS.map((p) => `'${p}'`).join(', ')}`);
    }
    this.tangentPath = tangentPath;
    const { hiddenSize: h, numLayers: L, cell } = model;
    if (feedback !== undefined) checkTensor('feedback', feedback, gateCount(cell) * h * h, `gates·hidden×hidden = ${gateCount(cell) * h}×${h}`);
    this.feedback = feedback ?? null;
    const B = inputs.batch;
    this.kernels = options.kernels ?? referenceKernels;
    this.forwardKernels = options.forwardKernels ?? this.kernels;
    this.hidden = h;
    this.batch = B;
    this.inputSize = model.inputSize;
    this.hasCell = cell === 'lstm';
    this.lstmState = this.hasCell ? lstmState : undefined;
    this.joint = this.hasCell && lstmState === 'joint';
    this.layerRows = this.joint ? 2 * h : h;
    this.dim = stateDimension(model, lstmState);
    this.direct = L === 1 && !this.joint;
    this.state = new Float64Array(B * this.dim);
    this.hiddenCell = this.hasCell && !this.joint ? new Float64Array(B * L * h) : null;
    this.layers = model.layers.map((w) =>
      cell === 'lstm' ? new LstmLayer(w, h, B, this.joint, this.forwardKernels.cellForward)
        : cell === 'gru' ? new GruLayer(w, h, B, this.forwardKernels.cellForward)
          : new RnnLayer(cell === 'rnn_tanh' ? 'tanh' : 'relu', w, h, B));
    const gh = gateCount(cell) * h;
    const separate = this.layers[0]!.separateProjections;
    this.fwd = {
      x: new Float64Array(model.inputSize * B),
      hOld: new Float64Array(h * B),
      cOld: this.hasCell ? new Float64Array(h * B) : EMPTY,
      fromInput: separate ? new Float64Array(gh * B) : EMPTY,
      fromHidden: new Float64Array(gh * B),
      hNew: model.layers.map(() => new Float64Array(h * B)),
      cNew: this.hasCell ? new Float64Array(h * B) : EMPTY,
    };
    if (L === 1 && !this.joint) this.formJacobian = (b, out) => this.formLayerJacobian(b, out);
    if (L === 1 && !this.joint && this.feedback === null) this.formedJacobian = this.formedTerms(this.layers[0]!, model.layers[0]!.weightHh);
    this.reset(options.initialState, options.initialCell);
  }

  private formLayerJacobian(b: number, out: Float64Array): void {
    this.requireStep('formJacobian');
    const n = this.dim;
    if (!Number.isInteger(b) || b < 0 || b >= this.batch) throw new RangeError(`formJacobian: trajectory ${b} is outside the batch of ${this.batch}`);
    if (out.length !== n * n) throw new RangeError(`formJacobian: out has ${out.length} entries, expected dim×dim = ${n * n}`);
    // One layer, h only: J_b is the layer's formed H×H matrix, formed straight into out (plus,
    // in closed loop, the formed matrix of the feedback weight: the top layer is this layer).
    const buf = this.formedBuffers();
    this.formMatrix(this.layers[0]!, b, 'hidden', this.model.layers[0]!.weightHh, buf, out);
    if (this.feedback !== null) {
      this.formMatrix(this.layers[0]!, b, 'input', this.feedback, buf);
      for (let i = 0; i < n * n; i++) out[i] = out[i]! + buf.matrix[i]!;
    }
  }

  /** The terms formMatrix forms for the layer's hidden weight (formedRows = H = dim: one h-only layer). */
  private formedTerms(layer: CellLayer, weight: Float64Array): FormedJacobian {
    return {
      weight, gates: layer.gates, hasDiagonal: layer.formedDiagonal !== undefined,
      terms: (b, coef, diagonal) => {
        this.requireStep('formedJacobian.terms');
        if (!Number.isInteger(b) || b < 0 || b >= this.batch) throw new RangeError(`formedJacobian.terms: trajectory ${b} is outside the batch of ${this.batch}`);
        layer.formedCoefficients(b, 'hidden', coef);
        layer.formedDiagonal?.(b, diagonal);
      },
    };
  }

  reset(initialState?: Float64Array, initialCell?: Float64Array): void {
    const { batch: B, dim: n, hidden: h } = this;
    const L = this.model.numLayers;
    if (initialState !== undefined) {
      checkTensor('initialState', initialState, B * n, `batch×dim = ${B}×${n}`);
      this.state.set(initialState);
    } else {
      this.state.fill(0);
    }
    if (initialCell !== undefined) {
      if (this.hiddenCell === null) {
        throw new RangeError(
          this.joint ? "initialCell applies only to the LSTM 'h' mode: in 'joint' mode c is part of initialState"
            : `initialCell applies only to LSTM cells, not '${this.model.cell}'`,
        );
      }
      checkTensor('initialCell', initialCell, B * L * h, `batch×layers×hidden = ${B}×${L}×${h}`);
      this.hiddenCell.set(initialCell);
    } else {
      this.hiddenCell?.fill(0);
    }
    this.stepped = false;
  }

  /** The state, then (LSTM 'h' mode) the cell states kept outside it: all the next step depends on. */
  saveState(into?: Float64Array): Float64Array {
    const cell = this.hiddenCell ?? EMPTY;
    const length = this.state.length + cell.length;
    const out = into?.length === length ? into : new Float64Array(length);
    out.set(this.state);
    out.set(cell, this.state.length);
    return out;
  }

  restoreState(saved: Float64Array): void {
    const cell = this.hiddenCell ?? EMPTY;
    checkTensor('restoreState: saved', saved, this.state.length + cell.length, 'what saveState returned');
    this.state.set(saved.subarray(0, this.state.length));
    this.hiddenCell?.set(saved.subarray(this.state.length));
  }

  step(t: number): void {
    const I = this.inputs.size;
    const { batch: B, dim: n, hidden: h, forwardKernels: kernels, fwd } = this;
    readInputStep(this.inputs, t, fwd.x);
    for (let l = 0; l < this.layers.length; l++) {
      const layer = this.layers[l]!;
      const w = this.model.layers[l]!;
      const gh = layer.gates * h;
      const offset = l * this.layerRows;
      gatherRows(this.state, n, offset, h, B, fwd.hOld);
      if (this.hasCell) this.gatherCell(l, fwd.cOld);
      const x = l === 0 ? fwd.x : fwd.hNew[l - 1]!;
      const xSize = l === 0 ? I : h;
      if (layer.separateProjections) {
        kernels.matmulBlock(w.weightIh, gh, xSize, x, B, fwd.fromInput);
        kernels.matmulBlock(w.weightHh, gh, h, fwd.hOld, B, fwd.fromHidden);
      } else {
        kernels.matmulBlock(w.weightIh, gh, xSize, x, B, fwd.fromHidden);
        kernels.matmulBlock(w.weightHh, gh, h, fwd.hOld, B, fwd.fromHidden, true);
      }
      const cOld = this.hasCell ? fwd.cOld : null;
      const cNew = this.hasCell ? fwd.cNew : null;
      layer.forward(layer.separateProjections ? fwd.fromInput : null, fwd.fromHidden, fwd.hOld, cOld, fwd.hNew[l]!, cNew);
      scatterRows(fwd.hNew[l]!, h, B, this.state, n, offset);
      if (this.hasCell) this.scatterCell(l, fwd.cNew);
    }
    this.stepped = true;
  }

  tangent(q: Float64Array, k: number, out: Float64Array): void {
    this.checkTangentArgs(q, k, out);
    const buf = this.buffersFor(k);
    if (buf.path === 'formed') this.formedTangent(q, k, out, buf);
    else this.structuredTangent(q, k, out, buf);
  }

  /** All B·k columns through each layer's whole weight matrices, one kernel call per product. */
  private structuredTangent(q: Float64Array, k: number, out: Float64Array, buf: StructuredBuffers): void {
    const { batch: B, dim: n, hidden: h, kernels } = this;
    const cols = B * k;
    let previousDh: Float64Array = EMPTY;
    for (let l = 0; l < this.layers.length; l++) {
      const layer = this.layers[l]!;
      const w = this.model.layers[l]!;
      const gh = layer.gates * h;
      const offset = l * this.layerRows;
      let dhOld = q;
      if (!this.direct) {
        gatherRows(q, n, offset, h, cols, buf.dhOld);
        dhOld = buf.dhOld;
      }
      let dcOld: Float64Array | null = null;
      if (this.joint) {
        gatherRows(q, n, offset + h, h, cols, buf.dcOld);
        dcOld = buf.dcOld;
      }
      kernels.matmulBlock(w.weightHh, gh, h, dhOld, cols, buf.fromHidden);
      // Layer l > 0 is driven by the new h of layer l − 1: its perturbation enters through W. In
      // closed loop layer 0 is driven by the top layer's h before the step, through W·W_out.
      let fromInput: Float64Array | null = null;
      const driver = l > 0 ? { weight: w.weightIh, dh: previousDh } : this.feedback !== null ? { weight: this.feedback, dh: this.topTangent(q, cols, buf) } : null;
      if (driver !== null) {
        if (layer.separateProjections) {
          kernels.matmulBlock(driver.weight, gh, h, driver.dh, cols, buf.fromInput);
          fromInput = buf.fromInput;
        } else {
          kernels.matmulBlock(driver.weight, gh, h, driver.dh, cols, buf.fromHidden, true);
        }
      }
      const dhNew = this.direct ? out : buf.dhNew[l % 2]!;
      const dcNew = this.joint ? buf.dcNew : null;
      layer.tangent(k, fromInput, buf.fromHidden, dhOld, dcOld, dhNew, dcNew);
      if (!this.direct) scatterRows(dhNew, h, cols, out, n, offset);
      if (this.joint) scatterRows(buf.dcNew, h, cols, out, n, offset + h);
      previousDh = dhNew;
    }
  }

  /** The top layer's δh rows of q (before the step), H×cols: q itself for one h-only layer. */
  private topTangent(q: Float64Array, cols: number, buf: StructuredBuffers): Float64Array {
    if (this.direct) return q;
    gatherRows(q, this.dim, (this.model.numLayers - 1) * this.layerRows, this.hidden, cols, buf.dhTop);
    return buf.dhTop;
  }

  /**
   * Layer by layer, the whole batch at once: each trajectory's formed matrix of the layer (formed
   * where it is multiplied: kernels.formedProducts) times the layer's δh rows of q (and layer
   * l − 1's new δh rows, already in out), straight into the layer's rows of out.
   */
  private formedTangent(q: Float64Array, k: number, out: Float64Array, buf: FormedBuffers): void {
    const { batch: B, dim: n, layerRows: rows, hidden: h, kernels } = this;
    const blocks = (xOffset: number, outOffset: number) => ({ xOffset, ldx: n, xStride: n * k, outOffset, ldo: n, outStride: n * k });
    for (let l = 0; l < this.layers.length; l++) {
      const layer = this.layers[l]!;
      const w = this.model.layers[l]!;
      // Trajectory b's block starts at b·n·k; layer l owns rows l·rows .. of each column.
      const offset = l * rows;
      // Joint LSTM: the new rows start as coupling ⊙ [δc; δc] (δc: the h rows after δh in q); the product adds in.
      const start = this.joint ? { scale: this.batchCouplings(layer, buf), from: h } : null;
      const diagonal = this.batchCoefficients(layer, 'hidden', buf);
      kernels.formedProducts(w.weightHh, layer.gates, rows, h, buf.coefs, diagonal, q, k, out, false, blocks(offset, offset), B, start);
      // Layer l > 0 is driven by the new h of layer l − 1: its perturbation enters through W.
      // In closed loop layer 0 is driven by the top layer's h before the step (q's top rows).
      const driver = l > 0 ? { weight: w.weightIh, x: out, at: offset - rows } : this.feedback !== null ? { weight: this.feedback, x: q, at: (this.layers.length - 1) * rows } : null;
      if (driver !== null) {
        this.batchCoefficients(layer, 'input', buf);
        kernels.formedProducts(driver.weight, layer.gates, rows, h, buf.coefs, null, driver.x, k, out, true, blocks(driver.at, offset), B);
      }
    }
  }

  /** Every trajectory's coefficients of the layer's formed matrix into buf.coefs; for 'hidden', its diagonals (or null: none). */
  private batchCoefficients(layer: CellLayer, which: 'hidden' | 'input', buf: FormedBuffers): Float64Array | null {
    const span = layer.gates * this.layerRows;
    for (let b = 0; b < this.batch; b++) layer.formedCoefficients(b, which, buf.coefs.subarray(b * span, (b + 1) * span));
    if (which === 'input' || layer.formedDiagonal === undefined) return null;
    const h = this.hidden;
    for (let b = 0; b < this.batch; b++) layer.formedDiagonal(b, buf.diagonals.subarray(b * h, (b + 1) * h));
    return buf.diagonals;
  }

  /** out (default buf.matrix) = the layer's formed matrix of `weight` for trajectory b (with its diagonal for 'hidden'). */
  private formMatrix(
    layer: CellLayer, b: number, which: 'hidden' | 'input', weight: Float64Array, buf: FormedBuffers, out = buf.matrix,
  ): void {
    const h = this.hidden;
    layer.formedCoefficients(b, which, buf.coef);
    formRows(weight, layer.gates, h, layer.formedRows, buf.coef, out);
    if (which === 'hidden' && layer.formedDiagonal) {
      layer.formedDiagonal(b, buf.diagonal);
      for (let i = 0; i < h; i++) out[i * h + i] = out[i * h + i]! + buf.diagonal[i]!;
    }
  }

  /** Every trajectory's factors of δc in the layer's new rows (joint LSTM) into buf.couplings. */
  private batchCouplings(layer: CellLayer, buf: FormedBuffers): Float64Array {
    const rows = this.layerRows;
    for (let b = 0; b < this.batch; b++) layer.formedCellCoupling!(b, buf.couplings.subarray(b * rows, (b + 1) * rows));
    return buf.couplings;
  }

  output(): Float64Array {
    const { batch: B, dim: n, hidden: h } = this;
    const top = new Float64Array(B * h);
    gatherRows(this.state, n, (this.model.numLayers - 1) * this.layerRows, h, B, top);
    return top;
  }

  logAbsDet(out: Float64Array): void {
    this.requireStep('logAbsDet');
    if (out.length !== this.batch) {
      throw new RangeError(`logAbsDet: out has ${out.length} entries, expected batch = ${this.batch}`);
    }
    // The closed form holds for a block lower-triangular Jacobian: not in closed loop.
    if (this.feedback === null && this.layers.every((layer) => layer.logAbsDetBlock !== undefined)) {
      for (let b = 0; b < this.batch; b++) {
        let sum = 0;
        for (const layer of this.layers) sum += layer.logAbsDetBlock!(b);
        out[b] = sum;
      }
      return;
    }
    denseJacobians(this).forEach((jac, b) => {
      out[b] = logAbsDet(jac, this.dim);
    });
  }

  private gatherCell(l: number, dst: Float64Array): void {
    const { batch: B, dim: n, hidden: h } = this;
    if (this.hiddenCell === null) gatherRows(this.state, n, l * this.layerRows + h, h, B, dst);
    else gatherRows(this.hiddenCell, this.model.numLayers * h, l * h, h, B, dst);
  }

  private scatterCell(l: number, src: Float64Array): void {
    const { batch: B, dim: n, hidden: h } = this;
    if (this.hiddenCell === null) scatterRows(src, h, B, this.state, n, l * this.layerRows + h);
    else scatterRows(src, h, B, this.hiddenCell, this.model.numLayers * h, l * h);
  }

  private buffersFor(k: number): TangentBuffers {
    let buf = this.tangentBuffers.get(k);
    if (buf === undefined) {
      buf = this.formedFor(k) ? this.formedBuffers() : this.structuredBuffers(k);
      this.tangentBuffers.set(k, buf);
    }
    return buf;
  }

  private formedFor(k: number): boolean {
    if (this.tangentPath !== 'auto') return this.tangentPath === 'formed';
    const layer = this.layers[0]!;
    return formedIsCheaper(layer.gates, layer.formedRows / this.hidden, k);
  }

  private formedBuffers(): FormedBuffers {
    const { hidden: h, layerRows: rows } = this;
    this.formedWork ??= {
      path: 'formed',
      coef: new Float64Array(this.layers[0]!.gates * rows),
      diagonal: new Float64Array(h),
      couplings: new Float64Array(this.joint ? this.batch * rows : 0),
      matrix: new Float64Array(rows * h),
      coefs: new Float64Array(this.batch * this.layers[0]!.gates * rows),
      diagonals: new Float64Array(this.batch * h),
    };
    return this.formedWork;
  }

  private structuredBuffers(k: number): StructuredBuffers {
    const { hidden: h } = this;
    const L = this.model.numLayers;
    const cols = this.batch * k;
    const gh = this.layers[0]!.gates * h;
    const compact = () => new Float64Array(h * cols);
    return {
      path: 'structured',
      dhOld: this.direct ? EMPTY : compact(),
      dcOld: this.joint ? compact() : EMPTY,
      dhTop: this.feedback !== null && !this.direct ? compact() : EMPTY,
      fromInput: (L > 1 || this.feedback !== null) && this.layers[0]!.separateProjections ? new Float64Array(gh * cols) : EMPTY,
      fromHidden: new Float64Array(gh * cols),
      // Layer l reads layer l − 1's new δh while writing its own: two alternating blocks.
      dhNew: this.direct ? [] : L > 1 ? [compact(), compact()] : [compact()],
      dcNew: this.joint ? compact() : EMPTY,
    };
  }

  private checkTangentArgs(q: Float64Array, k: number, out: Float64Array): void {
    this.requireStep('tangent');
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`tangent: k is ${k}, expected a positive integer`);
    const size = this.batch * this.dim * k;
    if (q.length !== size || out.length !== size) {
      throw new RangeError(
        `tangent: q has ${q.length} and out ${out.length} values, expected batch×dim×k = ${this.batch}×${this.dim}×${k} = ${size}`,
      );
    }
    if (q.buffer === out.buffer && q.byteOffset < out.byteOffset + out.byteLength && out.byteOffset < q.byteOffset + q.byteLength) {
      throw new RangeError('tangent: out must not overlap q');
    }
  }

  private requireStep(what: string): void {
    if (!this.stepped) throw new Error(`${what}: no step taken since the system was created or reset`);
  }
}
