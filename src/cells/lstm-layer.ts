import { sigmoid } from './activations.js';
import type { CellLayer } from './layer.js';
import { cellTraits, gateCount, zeroArrays, type LayerWeights } from './model.js';
import { combinedBias } from './rnn-layer.js';

/**
 * LSTM layer, PyTorch gate order i, f, g, o: c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c').
 * Tangent (forward-mode derivative): with δ(pre) = U δh + W δx through σ' and tanh',
 *   δc' = δf ⊙ c + δi ⊙ g + i ⊙ δg + f ⊙ δc,   δh' = δo ⊙ tanh c' + o ⊙ (1 − tanh² c') ⊙ δc'.
 * In the h-only mode δc = 0 (the tangent is ∂h'/∂h at fixed c) and δc' is not reported.
 * Formed, with V = U for δh and V = W for δx (the gates see both alike) and a = o (1 − tanh² c'):
 *   A = ∂c'/∂h = diag(σ'_i g) V_i + diag(σ'_f c) V_f + diag(i (1 − g²)) V_g,
 *   M = diag(σ'_o tanh c') V_o,   δc' = A δh + f ⊙ δc,   δh' = M δh + a ⊙ δc'.
 * So [δh'; δc'] = [M + diag(a) A; A] δh + [a f; f] ⊙ [δc; δc]: one 2H×H matrix and a coupling;
 * the h-only mode needs the top half, ∂h'/∂h = M + diag(a) A.
 */
export class LstmLayer implements CellLayer {
  readonly gates = gateCount('lstm');
  readonly separateProjections = cellTraits('lstm').separateProjections;
  readonly formedRows: number;
  private readonly bias: Float64Array | null;
  // Cached per trajectory, H×B: the four gates, the old c and tanh of the new c.
  private readonly i: Float64Array;
  private readonly f: Float64Array;
  private readonly g: Float64Array;
  private readonly o: Float64Array;
  private readonly cPrev: Float64Array;
  private readonly tanhC: Float64Array;

  /** trackCell: the joint (h, c) tangent; false for the h-only mode (δc = 0, δc' not wanted). */
  constructor(weights: LayerWeights, private readonly hidden: number, batch: number, private readonly trackCell: boolean) {
    this.bias = combinedBias(weights);
    this.formedRows = trackCell ? 2 * hidden : hidden;
    [this.i, this.f, this.g, this.o, this.cPrev, this.tanhC] = zeroArrays(6, hidden * batch);
  }

  forward(
    _fromInput: Float64Array | null, pre: Float64Array,
    hOld: Float64Array, cOld: Float64Array | null,
    hNew: Float64Array, cNew: Float64Array | null,
  ): void {
    const h = this.hidden;
    const bias = this.bias;
    const cols = hOld.length / h;
    for (let col = 0; col < cols; col++) {
      const q = col * 4 * h;
      for (let u = 0; u < h; u++) {
        const p = col * h + u;
        const i = sigmoid(pre[q + u]! + (bias === null ? 0 : bias[u]!));
        const f = sigmoid(pre[q + h + u]! + (bias === null ? 0 : bias[h + u]!));
        const g = Math.tanh(pre[q + 2 * h + u]! + (bias === null ? 0 : bias[2 * h + u]!));
        const o = sigmoid(pre[q + 3 * h + u]! + (bias === null ? 0 : bias[3 * h + u]!));
        const c = cOld![p]!;
        const cn = f * c + i * g;
        const tc = Math.tanh(cn);
        this.i[p] = i;
        this.f[p] = f;
        this.g[p] = g;
        this.o[p] = o;
        this.cPrev[p] = c;
        this.tanhC[p] = tc;
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
    const { i: is, f: fs, g: gs, o: os, cPrev, tanhC } = this;
    const cols = dhNew.length / h;
    for (let col = 0; col < cols; col++) {
      const s = Math.floor(col / k) * h;
      const q = col * 4 * h, o0 = col * h;
      for (let u = 0; u < h; u++) {
        const i = is[s + u]!, f = fs[s + u]!, g = gs[s + u]!, o = os[s + u]!, tc = tanhC[s + u]!;
        const di = i * (1 - i) * pre[q + u]!;
        const df = f * (1 - f) * pre[q + h + u]!;
        const dg = (1 - g * g) * pre[q + 2 * h + u]!;
        const dO = o * (1 - o) * pre[q + 3 * h + u]!;
        let dc = df * cPrev[s + u]! + di * g + i * dg;
        if (dcOld !== null) dc += f * dcOld[o0 + u]!;
        if (dcNew !== null) dcNew[o0 + u] = dc;
        dhNew[o0 + u] = dO * tc + o * (1 - tc * tc) * dc;
      }
    }
  }

  formedCoefficients(b: number, _weight: 'hidden' | 'input', coef: Float64Array): void {
    const h = this.hidden;
    const rows = this.formedRows;
    const s = b * h;
    for (let u = 0; u < h; u++) {
      const i = this.i[s + u]!, f = this.f[s + u]!, g = this.g[s + u]!, o = this.o[s + u]!, tc = this.tanhC[s + u]!;
      const a = o * (1 - tc * tc);
      const fromI = i * (1 - i) * g, fromF = f * (1 - f) * this.cPrev[s + u]!, fromG = i * (1 - g * g);
      // Row u (δh'): M + diag(a) A; row H + u (δc', joint only): A. Coefficients of gate k at k·R.
      coef[u] = a * fromI;
      coef[rows + u] = a * fromF;
      coef[2 * rows + u] = a * fromG;
      coef[3 * rows + u] = o * (1 - o) * tc;
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
      const f = this.f[s + u]!, tc = this.tanhC[s + u]!;
      coupling[u] = this.o[s + u]! * (1 - tc * tc) * f;
      coupling[h + u] = f;
    }
  }
}
