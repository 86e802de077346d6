import type { FloatArray } from '../../linalg/precision.js';
import { sigmoid } from '../activations.js';
import { cellTraits } from '../model.js';
import type { CellStep, StepViews } from './step.js';

/**
 * LSTM, gate order i, f, g, o: c_t = f ⊙ c_{t-1} + i ⊙ g, h_t = o ⊙ tanh(c_t). Backward, with
 * dc_t = ∂loss/∂c_t from later steps plus dh ⊙ o ⊙ (1 − tanh² c_t):
 *   ∂/∂õ = dh ⊙ tanh c_t ⊙ o(1−o),  ∂/∂ĩ = dc_t ⊙ g ⊙ i(1−i),  ∂/∂g̃ = dc_t ⊙ i ⊙ (1−g²),
 *   ∂/∂f̃ = dc_t ⊙ c_{t-1} ⊙ f(1−f),  ∂loss/∂c_{t-1} = dc_t ⊙ f.
 */
export const lstmStep: CellStep = {
  ...cellTraits('lstm'),
  forward(batch: number, hidden: number, v: StepViews): void {
    const { gates, aux, cPrev, c, h } = v;
    const gh = 4 * hidden;
    for (let b = 0; b < batch; b++) {
      const q = b * gh, r = b * hidden;
      for (let u = 0; u < hidden; u++) {
        const i = sigmoid(gates[q + u]!);
        const f = sigmoid(gates[q + hidden + u]!);
        const g = Math.tanh(gates[q + 2 * hidden + u]!);
        const o = sigmoid(gates[q + 3 * hidden + u]!);
        gates[q + u] = i;
        gates[q + hidden + u] = f;
        gates[q + 2 * hidden + u] = g;
        gates[q + 3 * hidden + u] = o;
        const cn = f * cPrev[r + u]! + i * g;
        const tc = Math.tanh(cn);
        c[r + u] = cn;
        aux[r + u] = tc;
        h[r + u] = o * tc;
      }
    }
  },
  backward(batch: number, hidden: number, v: StepViews, dh: FloatArray, dc: FloatArray): void {
    const { gates, aux, cPrev, dPreInput } = v;
    const gh = 4 * hidden;
    for (let b = 0; b < batch; b++) {
      const q = b * gh, r = b * hidden;
      for (let u = 0; u < hidden; u++) {
        const i = gates[q + u]!, f = gates[q + hidden + u]!, g = gates[q + 2 * hidden + u]!, o = gates[q + 3 * hidden + u]!;
        const tc = aux[r + u]!;
        const dhu = dh[r + u]!;
        const dct = dc[r + u]! + dhu * o * (1 - tc * tc);
        dPreInput[q + u] = dct * g * i * (1 - i);
        dPreInput[q + hidden + u] = dct * cPrev[r + u]! * f * (1 - f);
        dPreInput[q + 2 * hidden + u] = dct * i * (1 - g * g);
        dPreInput[q + 3 * hidden + u] = dhu * tc * o * (1 - o);
        dc[r + u] = dct * f;
      }
    }
  },
};
