import { sigmoidComplementFromExp, sigmoidFromExp, sigmoidSlopeFromExp, tanhSlopeGiven } from './activations.js';
import type { CellLayer } from './layer.js';
import { cellTraits, gateCount, zeroArrays, type LayerWeights } from './model.js';
import { exp, tanh } from '../linalg/libm.js';
import type { CellForwardKernels, GruForwardOut } from '../linalg/kernels.js';

/**
 * GRU layer, PyTorch gate order r, z, n (reset applied after the recurrent product):
 *   r = σ(W_r x + b_ir + U_r h + b_hr), z = σ(W_z x + b_iz + U_z h + b_hz),
 *   n = tanh(W_n x + b_in + r ⊙ (U_n h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h.
 * Tangent (forward-mode derivative of the above):
 *   δr = σ'·(W_r δx + U_r δh), δz likewise, δñ = W_n δx + δr ⊙ (U_n h + b_hn) + r ⊙ U_n δh,
 *   δh' = (1 − z) ⊙ tanh'(ñ) ⊙ δñ + δz ⊙ (h − n) + z ⊙ δh.
 * Formed: with a = (1 − z) tanh'(ñ), δh' = (M + diag(z)) δh + M_x δx where
 *   M   = diag(a σ'_r (U_n h + b_hn)) U_r + diag(σ'_z (h − n)) U_z + diag(a r) U_n,
 *   M_x = the same with W in place of U, except diag(a) W_n (r multiplies only the U_n h term).
 * The derivative factors come from the pre-activations, accurate in saturation: σ' = σ(y)σ(−y),
 * tanh'(ñ) = sech² ñ with ñ = x̃_n + r ⊙ h̃_n, and the 1 − z of a as σ(−ỹ_z) (not 1 − z, which
 * cancels for z → 1). The forward h' = (1 − z) n + z h is PyTorch's, as it stands.
 */
export class GruLayer implements CellLayer {
  readonly gates = gateCount('gru');
  readonly separateProjections = cellTraits('gru').separateProjections;
  readonly formedRows: number;
  private readonly biasIh: Float64Array | null;
  private readonly biasHh: Float64Array | null;
  // Cached per trajectory, H×B, the coefficients of the tangent (also those of the formed
  // matrices): a = σ(−ỹ_z) tanh'(ñ), rFromHidden = σ'_r (U_n h + b_hn), zFromOld = σ'_z (h − n),
  // the gates r and z.
  private readonly a: Float64Array;
  private readonly rFromHidden: Float64Array;
  private readonly zFromOld: Float64Array;
  private readonly r: Float64Array;
  private readonly z: Float64Array;
  /** The forward step in the module (same bits, fdlibm compiled), with the biases as zeros where there are none; null: the JavaScript below. */
  private readonly kernel: { cellForward: CellForwardKernels; biasIh: Float64Array; biasHh: Float64Array } | null;

  /** cellForward: the float64 wasm kernels' (absent: the forward step runs here, in JavaScript). */
  constructor(weights: LayerWeights, private readonly hidden: number, batch: number, cellForward?: CellForwardKernels) {
    this.biasIh = weights.biasIh ?? null;
    this.biasHh = weights.biasHh ?? null;
    this.formedRows = hidden;
    [this.a, this.rFromHidden, this.zFromOld, this.r, this.z] = zeroArrays(5, hidden * batch);
    const zeros = () => new Float64Array(3 * hidden);
    this.kernel = cellForward === undefined ? null : { cellForward, biasIh: this.biasIh ?? zeros(), biasHh: this.biasHh ?? zeros() };
  }

  forward(
    fromInput: Float64Array | null, fromHidden: Float64Array,
    hOld: Float64Array, _cOld: Float64Array | null, hNew: Float64Array,
  ): void {
    const h = this.hidden;
    const { biasIh: bi, biasHh: bh } = this;
    const x = fromInput!;
    const cols = hOld.length / h;
    if (this.kernel !== null) {
      const { a, rFromHidden, zFromOld, r, z } = this;
      const out: GruForwardOut = { a, rFromHidden, zFromOld, r, z, hNew };
      this.kernel.cellForward.gru(cols, h, x, fromHidden, this.kernel.biasIh, this.kernel.biasHh, hOld, out);
      return;
    }
    for (let c = 0; c < cols; c++) {
      const g = c * 3 * h;
      for (let i = 0; i < h; i++) {
        const p = c * h + i;
        const ir = g + i, iz = g + h + i, inn = g + 2 * h + i;
        const yr = x[ir]! + fromHidden[ir]! + (bi === null ? 0 : bi[i]! + bh![i]!);
        const yz = x[iz]! + fromHidden[iz]! + (bi === null ? 0 : bi[h + i]! + bh![h + i]!);
        // One exponential per gate gives σ, σ(−y) and σ' alike (as in the training step, backward/gru.ts).
        const tr = exp(-yr), tz = exp(-yz);
        const r = sigmoidFromExp(tr);
        const z = sigmoidFromExp(tz);
        const hn = fromHidden[inn]! + (bh === null ? 0 : bh[2 * h + i]!);
        const yn = x[inn]! + (bi === null ? 0 : bi[2 * h + i]!) + r * hn;
        const n = tanh(yn);
        const hp = hOld[p]!;
        // 1 − z as σ(−ỹ_z); σ'_z = σ(ỹ_z)σ(−ỹ_z) from the same two factors.
        const zc = sigmoidComplementFromExp(tz, z);
        this.a[p] = zc * tanhSlopeGiven(yn, n);
        this.rFromHidden[p] = sigmoidSlopeFromExp(yr, tr, r) * hn;
        this.zFromOld[p] = z * zc * (hp - n);
        this.r[p] = r;
        this.z[p] = z;
        hNew[p] = (1 - z) * n + z * hp;
      }
    }
  }

  tangent(
    k: number, fromInput: Float64Array | null, fromHidden: Float64Array,
    dhOld: Float64Array, _dcOld: Float64Array | null, dhNew: Float64Array,
  ): void {
    const h = this.hidden;
    const { a, rFromHidden, zFromOld, r, z } = this;
    const cols = dhOld.length / h;
    for (let c = 0; c < cols; c++) {
      const s = Math.floor(c / k) * h;
      const g = c * 3 * h, o = c * h;
      for (let i = 0; i < h; i++) {
        const ir = g + i, iz = g + h + i, inn = g + 2 * h + i;
        const dr = fromHidden[ir]! + (fromInput === null ? 0 : fromInput[ir]!);
        const dz = fromHidden[iz]! + (fromInput === null ? 0 : fromInput[iz]!);
        const dnPre = (fromInput === null ? 0 : fromInput[inn]!) + rFromHidden[s + i]! * dr + r[s + i]! * fromHidden[inn]!;
        dhNew[o + i] = a[s + i]! * dnPre + zFromOld[s + i]! * dz + z[s + i]! * dhOld[o + i]!;
      }
    }
  }

  formedCoefficients(b: number, weight: 'hidden' | 'input', coef: Float64Array): void {
    const h = this.hidden;
    const s = b * h;
    for (let i = 0; i < h; i++) {
      const a = this.a[s + i]!;
      coef[i] = a * this.rFromHidden[s + i]!;
      coef[h + i] = this.zFromOld[s + i]!;
      coef[2 * h + i] = weight === 'hidden' ? a * this.r[s + i]! : a;
    }
  }

  formedDiagonal(b: number, diagonal: Float64Array): void {
    diagonal.set(this.z.subarray(b * this.hidden, (b + 1) * this.hidden));
  }
}
