import type { FloatArray } from '../../linalg/precision.js';
import { sigmoid } from '../activations.js';
import { cellTraits } from '../model.js';
import type { CellStep, StepViews } from './step.js';

/**
 * GRU, gate order r, z, n, reset applied after the product (PyTorch):
 *   r = σ(x̃_r + h̃_r), z = σ(x̃_z + h̃_z), n = tanh(x̃_n + r ⊙ h̃_n), h_t = (1 − z) ⊙ n + z ⊙ h_{t-1},
 * with x̃ = W x + b_ih and h̃ = U h_{t-1} + b_hh. Backward: ∂/∂ñ = dh ⊙ (1−z) ⊙ (1−n²) reaches
 * x̃_n directly and h̃_n through r; ∂/∂r̃ = ∂/∂ñ ⊙ h̃_n ⊙ r(1−r); ∂/∂z̃ = dh ⊙ (h_{t-1} − n) ⊙ z(1−z);
 * and h_{t-1} gets dh ⊙ z directly besides the path through U.
 */
export const gruStep: CellStep = {
  ...cellTraits('gru'),
  forward(batch: number, hidden: number, v: StepViews): void {
    const { gates, hidden: hh, aux, hPrev, h } = v;
    const gh = 3 * hidden;
    for (let b = 0; b < batch; b++) {
      const q = b * gh, s = b * hidden;
      for (let u = 0; u < hidden; u++) {
        const r = sigmoid(gates[q + u]! + hh[q + u]!);
        const z = sigmoid(gates[q + hidden + u]! + hh[q + hidden + u]!);
        const hn = hh[q + 2 * hidden + u]!;
        const n = Math.tanh(gates[q + 2 * hidden + u]! + r * hn);
        gates[q + u] = r;
        gates[q + hidden + u] = z;
        gates[q + 2 * hidden + u] = n;
        aux[s + u] = hn;
        h[s + u] = (1 - z) * n + z * hPrev[s + u]!;
      }
    }
  },
  backward(batch: number, hidden: number, v: StepViews, dh: FloatArray, _dc: FloatArray, dhPrev: FloatArray): void {
    const { gates, aux, hPrev, dPreInput, dPreHidden } = v;
    const gh = 3 * hidden;
    for (let b = 0; b < batch; b++) {
      const q = b * gh, s = b * hidden;
      for (let u = 0; u < hidden; u++) {
        const r = gates[q + u]!, z = gates[q + hidden + u]!, n = gates[q + 2 * hidden + u]!;
        const dhu = dh[s + u]!;
        const dn = dhu * (1 - z) * (1 - n * n);
        const dr = dn * aux[s + u]! * r * (1 - r);
        const dz = dhu * (hPrev[s + u]! - n) * z * (1 - z);
        dPreInput[q + u] = dr;
        dPreInput[q + hidden + u] = dz;
        dPreInput[q + 2 * hidden + u] = dn;
        dPreHidden[q + u] = dr;
        dPreHidden[q + hidden + u] = dz;
        dPreHidden[q + 2 * hidden + u] = dn * r;
        dhPrev[s + u] = dhu * z;
      }
    }
  },
};
