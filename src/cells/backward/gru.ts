import type { FloatArray } from '../../linalg/precision.js';
import { sigmoidComplementFromExp, sigmoidFromExp, sigmoidSlopeFromExp, tanhSlopeGiven } from '../activations.js';
import { cellTraits } from '../model.js';
import type { CellStep, StepViews } from './step.js';

/**
 * GRU, gate order r, z, n, reset applied after the product (PyTorch):
 *   r = σ(x̃_r + h̃_r), z = σ(x̃_z + h̃_z), n = tanh(ñ), ñ = x̃_n + r ⊙ h̃_n, h_t = (1 − z) ⊙ n + z ⊙ h_{t-1},
 * with x̃ = W x + b_ih and h̃ = U h_{t-1} + b_hh. Backward: ∂/∂ñ = dh ⊙ (1−z) ⊙ tanh'(ñ) reaches
 * x̃_n directly and h̃_n through r; ∂/∂r̃ = ∂/∂ñ ⊙ h̃_n ⊙ σ'(r̃); ∂/∂z̃ = dh ⊙ (h_{t-1} − n) ⊙ σ'(z̃);
 * and h_{t-1} gets dh ⊙ z directly besides the path through U.
 * Forward keeps the three factors after dh in dPreInput (scaled in place by backward), r and z in
 * their `gates` slots. The slopes come from the pre-activations (σ' = σ(y)σ(−y), tanh' = sech² ñ)
 * and the 1 − z of ∂/∂ñ is σ(−z̃), not 1 − z, which cancels to 0 for z → 1; the forward
 * h_t = (1 − z) n + z h_{t-1} is PyTorch's, as it stands.
 */
export const gruStep: CellStep = {
  ...cellTraits('gru'),
  forward(batch: number, hidden: number, v: StepViews): void {
    const { gates, hidden: hh, hPrev, h, dPreInput: local } = v;
    const gh = 3 * hidden;
    for (let b = 0; b < batch; b++) {
      const q = b * gh, s = b * hidden;
      for (let u = 0; u < hidden; u++) {
        const yr = gates[q + u]! + hh[q + u]!;
        const yz = gates[q + hidden + u]! + hh[q + hidden + u]!;
        const tr = Math.exp(-yr), tz = Math.exp(-yz);
        const r = sigmoidFromExp(tr);
        const z = sigmoidFromExp(tz);
        const hn = hh[q + 2 * hidden + u]!;
        const yn = gates[q + 2 * hidden + u]! + r * hn;
        const n = Math.tanh(yn);
        const hp = hPrev[s + u]!;
        // 1 − z as σ(−z̃); σ'(z̃) = σ(z̃)σ(−z̃) from the same two factors.
        const zc = sigmoidComplementFromExp(tz, z);
        const a = zc * tanhSlopeGiven(yn, n);
        local[q + u] = a * hn * sigmoidSlopeFromExp(yr, tr, r);
        local[q + hidden + u] = (hp - n) * z * zc;
        local[q + 2 * hidden + u] = a;
        gates[q + u] = r;
        gates[q + hidden + u] = z;
        h[s + u] = (1 - z) * n + z * hp;
      }
    }
  },
  backward(batch: number, hidden: number, v: StepViews, dh: FloatArray, _dc: FloatArray, dhPrev: FloatArray): void {
    const { gates, dPreInput, dPreHidden } = v;
    const gh = 3 * hidden;
    for (let b = 0; b < batch; b++) {
      const q = b * gh, s = b * hidden;
      for (let u = 0; u < hidden; u++) {
        const dhu = dh[s + u]!;
        const dr = dhu * dPreInput[q + u]!;
        const dz = dhu * dPreInput[q + hidden + u]!;
        const dn = dhu * dPreInput[q + 2 * hidden + u]!;
        dPreInput[q + u] = dr;
        dPreInput[q + hidden + u] = dz;
        dPreInput[q + 2 * hidden + u] = dn;
        dPreHidden[q + u] = dr;
        dPreHidden[q + hidden + u] = dz;
        dPreHidden[q + 2 * hidden + u] = dn * gates[q + u]!;
        dhPrev[s + u] = dhu * gates[q + hidden + u]!;
      }
    }
  },
};
