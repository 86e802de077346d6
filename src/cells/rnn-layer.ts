import { logAbsDet } from '../linalg/lu-logdet.js';
import { tanhSlopeGiven } from './activations.js';
import type { CellLayer } from './layer.js';
import { cellTraits, gateCount, type LayerWeights } from './model.js';
import { log, tanh } from '../linalg/libm.js';

/**
 * Vanilla RNN layer, h' = φ(W x + b_ih + U h + b_hh) with φ = tanh or relu.
 * Tangent: δh' = φ'(ỹ) ⊙ (U δh + W δx), i.e. J = D(φ'(ỹ)) U on the diagonal block.
 * With one gate the structured tangent is already the cheapest; the formed one (J formed per
 * trajectory) exists for uniformity and is only taken when a caller forces it.
 */
export class RnnLayer implements CellLayer {
  readonly gates = gateCount('rnn_tanh');
  readonly separateProjections = cellTraits('rnn_tanh').separateProjections;
  /** φ'(ỹ) of the last step, H×B, from the pre-activation ỹ (tanh' = sech² ỹ, accurate in
   * saturation, not 1 − tanh² ỹ); relu' is taken as 0 at exactly 0. */
  private readonly slope: Float64Array;
  private logAbsDetU: number | undefined;
  readonly formedRows: number;
  private readonly bias: Float64Array | null;

  constructor(
    private readonly activation: 'tanh' | 'relu',
    private readonly weights: LayerWeights,
    private readonly hidden: number,
    batch: number,
  ) {
    this.bias = combinedBias(weights);
    this.formedRows = hidden;
    this.slope = new Float64Array(hidden * batch);
  }

  forward(
    _fromInput: Float64Array | null, pre: Float64Array,
    _hOld: Float64Array, _cOld: Float64Array | null, hNew: Float64Array,
  ): void {
    const { bias, slope } = this;
    const h = this.hidden;
    const isTanh = this.activation === 'tanh';
    for (let p = 0; p < slope.length; p++) {
      const y = pre[p]! + (bias === null ? 0 : bias[p % h]!);
      if (isTanh) {
        const v = tanh(y);
        hNew[p] = v;
        slope[p] = tanhSlopeGiven(y, v);
      } else {
        hNew[p] = y > 0 ? y : 0;
        slope[p] = y > 0 ? 1 : 0;
      }
    }
  }

  tangent(
    k: number, _fromInput: Float64Array | null, pre: Float64Array,
    _dhOld: Float64Array, _dcOld: Float64Array | null, dhNew: Float64Array,
  ): void {
    const h = this.hidden;
    const slope = this.slope;
    const cols = pre.length / h;
    for (let c = 0; c < cols; c++) {
      const s = Math.floor(c / k) * h;
      const o = c * h;
      for (let i = 0; i < h; i++) dhNew[o + i] = slope[s + i]! * pre[o + i]!;
    }
  }

  formedCoefficients(b: number, _weight: 'hidden' | 'input', coef: Float64Array): void {
    const h = this.hidden;
    for (let i = 0; i < h; i++) coef[i] = this.slope[b * h + i]!;
  }

  /** log|det D(φ') U| = Σ log|φ'| + log|det U|, the latter factorised once. */
  logAbsDetBlock(b: number): number {
    this.logAbsDetU ??= logAbsDet(this.weights.weightHh, this.hidden);
    let sum = this.logAbsDetU;
    for (let i = 0; i < this.hidden; i++) sum += log(Math.abs(this.slope[b * this.hidden + i]!));
    return sum;
  }
}

/** b_ih + b_hh, which enter every gate of RNN and LSTM cells only as a sum; null without bias. */
export function combinedBias(weights: LayerWeights): Float64Array | null {
  const { biasIh, biasHh } = weights;
  if (biasIh === undefined || biasHh === undefined) return null;
  return biasIh.map((v, i) => v + biasHh[i]!);
}
