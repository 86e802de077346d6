import { sigmoid } from './activations.js';
import type { CellLayer } from './layer.js';
import { cellTraits, gateCount, zeroArrays, type LayerWeights } from './model.js';

/**
 * GRU layer, PyTorch gate order r, z, n (reset applied after the recurrent product):
 *   r = σ(W_r x + b_ir + U_r h + b_hr), z = σ(W_z x + b_iz + U_z h + b_hz),
 *   n = tanh(W_n x + b_in + r ⊙ (U_n h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h.
 * Tangent (forward-mode derivative of the above):
 *   δr = σ'·(W_r δx + U_r δh), δz likewise, δñ = W_n δx + δr ⊙ (U_n h + b_hn) + r ⊙ U_n δh,
 *   δh' = (1 − z) ⊙ (1 − n²) ⊙ δñ + δz ⊙ (h − n) + z ⊙ δh.
 * Formed: with a = (1 − z)(1 − n²), δh' = (M + diag(z)) δh + M_x δx where
 *   M   = diag(a σ'_r (U_n h + b_hn)) U_r + diag(σ'_z (h − n)) U_z + diag(a r) U_n,
 *   M_x = the same with W in place of U, except diag(a) W_n (r multiplies only the U_n h term).
 */
export class GruLayer implements CellLayer {
  readonly gates = gateCount('gru');
  readonly separateProjections = cellTraits('gru').separateProjections;
  readonly formedRows: number;
  private readonly biasIh: Float64Array | null;
  private readonly biasHh: Float64Array | null;
  // Cached per trajectory, H×B: gates, U_n h + b_hn, and the old h (for h − n).
  private readonly r: Float64Array;
  private readonly z: Float64Array;
  private readonly n: Float64Array;
  private readonly hiddenN: Float64Array;
  private readonly hPrev: Float64Array;

  constructor(weights: LayerWeights, private readonly hidden: number, batch: number) {
    this.biasIh = weights.biasIh ?? null;
    this.biasHh = weights.biasHh ?? null;
    this.formedRows = hidden;
    [this.r, this.z, this.n, this.hiddenN, this.hPrev] = zeroArrays(5, hidden * batch);
  }

  forward(
    fromInput: Float64Array | null, fromHidden: Float64Array,
    hOld: Float64Array, _cOld: Float64Array | null, hNew: Float64Array,
  ): void {
    const h = this.hidden;
    const { biasIh: bi, biasHh: bh } = this;
    const x = fromInput!;
    const cols = hOld.length / h;
    for (let c = 0; c < cols; c++) {
      const g = c * 3 * h;
      for (let i = 0; i < h; i++) {
        const p = c * h + i;
        const ir = g + i, iz = g + h + i, inn = g + 2 * h + i;
        const r = sigmoid(x[ir]! + fromHidden[ir]! + (bi === null ? 0 : bi[i]! + bh![i]!));
        const z = sigmoid(x[iz]! + fromHidden[iz]! + (bi === null ? 0 : bi[h + i]! + bh![h + i]!));
        const hn = fromHidden[inn]! + (bh === null ? 0 : bh[2 * h + i]!);
        const n = Math.tanh(x[inn]! + (bi === null ? 0 : bi[2 * h + i]!) + r * hn);
        this.r[p] = r;
        this.z[p] = z;
        this.n[p] = n;
        this.hiddenN[p] = hn;
        this.hPrev[p] = hOld[p]!;
        hNew[p] = (1 - z) * n + z * hOld[p]!;
      }
    }
  }

  tangent(
    k: number, fromInput: Float64Array | null, fromHidden: Float64Array,
    dhOld: Float64Array, _dcOld: Float64Array | null, dhNew: Float64Array,
  ): void {
    const h = this.hidden;
    const { r: rs, z: zs, n: ns, hiddenN, hPrev } = this;
    const cols = dhOld.length / h;
    for (let c = 0; c < cols; c++) {
      const s = Math.floor(c / k) * h;
      const g = c * 3 * h, o = c * h;
      for (let i = 0; i < h; i++) {
        const ir = g + i, iz = g + h + i, inn = g + 2 * h + i;
        const r = rs[s + i]!, z = zs[s + i]!, n = ns[s + i]!;
        const dr = r * (1 - r) * (fromHidden[ir]! + (fromInput === null ? 0 : fromInput[ir]!));
        const dz = z * (1 - z) * (fromHidden[iz]! + (fromInput === null ? 0 : fromInput[iz]!));
        const dnPre = (fromInput === null ? 0 : fromInput[inn]!) + dr * hiddenN[s + i]! + r * fromHidden[inn]!;
        dhNew[o + i] = (1 - z) * (1 - n * n) * dnPre + dz * (hPrev[s + i]! - n) + z * dhOld[o + i]!;
      }
    }
  }

  formedCoefficients(b: number, weight: 'hidden' | 'input', coef: Float64Array): void {
    const h = this.hidden;
    const s = b * h;
    for (let i = 0; i < h; i++) {
      const r = this.r[s + i]!, z = this.z[s + i]!, n = this.n[s + i]!;
      const a = (1 - z) * (1 - n * n);
      coef[i] = a * r * (1 - r) * this.hiddenN[s + i]!;
      coef[h + i] = z * (1 - z) * (this.hPrev[s + i]! - n);
      coef[2 * h + i] = weight === 'hidden' ? a * r : a;
    }
  }

  formedDiagonal(b: number, diagonal: Float64Array): void {
    diagonal.set(this.z.subarray(b * this.hidden, (b + 1) * this.hidden));
  }
}
