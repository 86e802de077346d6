import { sigmoidFromExp, sigmoidSlopeFromExp, tanhSlopeGiven } from './activations.js';
import type { CellLayer } from './layer.js';
import { cellTraits, gateCount, zeroArrays, type LayerWeights } from './model.js';
import { combinedBias } from './rnn-layer.js';
import { exp, tanh } from '../linalg/libm.js';
import type { CellForwardKernels, LstmForwardOut } from '../linalg/kernels.js';

/**
 * LSTM layer, PyTorch gate order i, f, g, o: c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c').
 * Tangent (forward-mode derivative): with δ(pre) = U δh + W δx through σ' and tanh',
 *   δc' = δf ⊙ c + δi ⊙ g + i ⊙ δg + f ⊙ δc,   δh' = δo ⊙ tanh c' + o ⊙ tanh'(c') ⊙ δc'.
 * In the h-only mode δc = 0 (the tangent is ∂h'/∂h at fixed c) and δc' is not reported.
 * Formed, with V = U for δh and V = W for δx (the gates see both alike) and a = o tanh'(c'):
 *   A = ∂c'/∂h = diag(σ'_i g) V_i + diag(σ'_f c) V_f + diag(i tanh'(g̃)) V_g,
 *   M = diag(σ'_o tanh c') V_o,   δc' = A δh + f ⊙ δc,   δh' = M δh + a ⊙ δc'.
 * So [δh'; δc'] = [M + diag(a) A; A] δh + [a f; f] ⊙ [δc; δc]: one 2H×H matrix and a coupling;
 * the h-only mode needs the top half, ∂h'/∂h = M + diag(a) A.
 * Every slope is taken from its pre-activation (σ' = σ(y)σ(−y), tanh' = sech² y; c' is the
 * pre-activation of tanh c'), not as σ(1 − σ) or 1 − tanh², which cancel to 0 in saturation.
 */
export class LstmLayer implements CellLayer {
  readonly gates = gateCount('lstm');
  readonly separateProjections = cellTraits('lstm').separateProjections;
  readonly formedRows: number;
  private readonly bias: Float64Array | null;
  // Cached per trajectory, H×B, the coefficients of the tangent (which are also those of the
  // formed matrices): δc' = fromI δĩ + fromF δf̃ + fromG δg̃ + f δc, δh' = fromO δõ + a δc',
  // with fromI = σ'_i g, fromF = σ'_f c, fromG = i tanh'(g̃), fromO = σ'_o tanh c', a = o tanh'(c').
  private readonly fromI: Float64Array;
  private readonly fromF: Float64Array;
  private readonly fromG: Float64Array;
  private readonly fromO: Float64Array;
  private readonly a: Float64Array;
  private readonly f: Float64Array;
  /** The forward step in the module (same bits, fdlibm compiled), with the bias as zeros where there is none; null: the JavaScript below. */
  private readonly kernel: { cellForward: CellForwardKernels; bias: Float64Array } | null;

  /**
   * trackCell: the joint (h, c) tangent; false for the h-only mode (δc = 0, δc' not wanted).
   * cellForward: the float64 wasm kernels' (absent: the forward step runs here, in JavaScript).
   */
  constructor(weights: LayerWeights, private readonly hidden: number, batch: number, private readonly trackCell: boolean, cellForward?: CellForwardKernels) {
    this.bias = combinedBias(weights);
    this.formedRows = trackCell ? 2 * hidden : hidden;
    [this.fromI, this.fromF, this.fromG, this.fromO, this.a, this.f] = zeroArrays(6, hidden * batch);
    this.kernel = cellForward === undefined ? null : { cellForward, bias: this.bias ?? new Float64Array(4 * hidden) };
  }

  forward(
    _fromInput: Float64Array | null, pre: Float64Array,
    hOld: Float64Array, cOld: Float64Array | null,
    hNew: Float64Array, cNew: Float64Array | null,
  ): void {
    const h = this.hidden;
    const bias = this.bias;
    const cols = hOld.length / h;
    if (this.kernel !== null) {
      const { fromI, fromF, fromG, fromO, a, f } = this;
      const out: LstmForwardOut = { fromI, fromF, fromG, fromO, a, f, cNew: cNew!, hNew };
      this.kernel.cellForward.lstm(cols, h, pre, this.kernel.bias, cOld!, out);
      return;
    }
    for (let col = 0; col < cols; col++) {
      const q = col * 4 * h;
      for (let u = 0; u < h; u++) {
        const p = col * h + u;
        const yi = pre[q + u]! + (bias === null ? 0 : bias[u]!);
        const yf = pre[q + h + u]! + (bias === null ? 0 : bias[h + u]!);
        const yg = pre[q + 2 * h + u]! + (bias === null ? 0 : bias[2 * h + u]!);
        const yo = pre[q + 3 * h + u]! + (bias === null ? 0 : bias[3 * h + u]!);
        // One exponential per gate gives σ and σ' alike (as in the training step, backward/lstm.ts).
        const ti = exp(-yi), tf = exp(-yf), to = exp(-yo);
        const i = sigmoidFromExp(ti), f = sigmoidFromExp(tf), g = tanh(yg), o = sigmoidFromExp(to);
        const c = cOld![p]!;
        const cn = f * c + i * g;
        const tc = tanh(cn);
        this.fromI[p] = sigmoidSlopeFromExp(yi, ti, i) * g;
        this.fromF[p] = sigmoidSlopeFromExp(yf, tf, f) * c;
        this.fromG[p] = i * tanhSlopeGiven(yg, g);
        this.fromO[p] = sigmoidSlopeFromExp(yo, to, o) * tc;
        this.a[p] = o * tanhSlopeGiven(cn, tc);
        this.f[p] = f;
        cNew![p] = cn;
        hNew[p] = o * tc;
      }
    }
  }

  tangent(
    k: number, _fromInput: Float64Array | null, pre: Float64Array,
    _dhOld: Float64Array, dcOld: Float64Array | null,
    dhNew: Float64Array, dcNew: Float64Array | null,
  ): void {
    const h = this.hidden;
    const { fromI, fromF, fromG, fromO, a, f } = this;
    const cols = dhNew.length / h;
    for (let col = 0; col < cols; col++) {
      const s = Math.floor(col / k) * h;
      const q = col * 4 * h, o0 = col * h;
      for (let u = 0; u < h; u++) {
        let dc = fromI[s + u]! * pre[q + u]! + fromF[s + u]! * pre[q + h + u]! + fromG[s + u]! * pre[q + 2 * h + u]!;
        if (dcOld !== null) dc += f[s + u]! * dcOld[o0 + u]!;
        if (dcNew !== null) dcNew[o0 + u] = dc;
        dhNew[o0 + u] = fromO[s + u]! * pre[q + 3 * h + u]! + a[s + u]! * dc;
      }
    }
  }

  formedCoefficients(b: number, _weight: 'hidden' | 'input', coef: Float64Array): void {
    const h = this.hidden;
    const rows = this.formedRows;
    const s = b * h;
    for (let u = 0; u < h; u++) {
      const a = this.a[s + u]!;
      const fromI = this.fromI[s + u]!, fromF = this.fromF[s + u]!, fromG = this.fromG[s + u]!;
      // Row u (δh'): M + diag(a) A; row H + u (δc', joint only): A. Coefficients of gate k at k·R.
      coef[u] = a * fromI;
      coef[rows + u] = a * fromF;
      coef[2 * rows + u] = a * fromG;
      coef[3 * rows + u] = this.fromO[s + u]!;
      if (this.trackCell) {
        coef[h + u] = fromI;
        coef[rows + h + u] = fromF;
        coef[2 * rows + h + u] = fromG;
        coef[3 * rows + h + u] = 0;
      }
    }
  }

  formedCellCoupling(b: number, coupling: Float64Array): void {
    const h = this.hidden;
    const s = b * h;
    for (let u = 0; u < h; u++) {
      const f = this.f[s + u]!;
      coupling[u] = this.a[s + u]! * f;
      coupling[h + u] = f;
    }
  }
}
