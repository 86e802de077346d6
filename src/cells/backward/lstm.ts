import type { FloatArray } from '../../linalg/precision.js';
import { sigmoidFromExp, sigmoidSlopeFromExp, tanhSlopeGiven } from '../activations.js';
import { cellTraits } from '../model.js';
import type { CellStep, StepViews } from './step.js';

/**
 * LSTM, gate order i, f, g, o: c_t = f ⊙ c_{t-1} + i ⊙ g, h_t = o ⊙ tanh(c_t). Backward, with
 * dc_t = ∂loss/∂c_t from later steps plus dh ⊙ o ⊙ tanh'(c_t):
 *   ∂/∂õ = dh ⊙ tanh c_t ⊙ σ'(õ),  ∂/∂ĩ = dc_t ⊙ g ⊙ σ'(ĩ),  ∂/∂g̃ = dc_t ⊙ i ⊙ tanh'(g̃),
 *   ∂/∂f̃ = dc_t ⊙ c_{t-1} ⊙ σ'(f̃),  ∂loss/∂c_{t-1} = dc_t ⊙ f.
 * Forward keeps the four factors after dc_t and dh in dPreInput (scaled in place by backward),
 * f in its `gates` slot and o ⊙ tanh'(c_t) in `aux`. Every slope is taken from its
 * pre-activation (σ' = σ(y)σ(−y), tanh' = sech² y; c_t is that of tanh c_t), not as σ(1 − σ) or
 * 1 − tanh², which cancel to 0 in saturation.
 */
export const lstmStep: CellStep = {
  ...cellTraits('lstm'),
  forward(batch: number, hidden: number, v: StepViews): void {
    const { gates, aux, cPrev, c, h, dPreInput: local } = v;
    const gh = 4 * hidden;
    for (let b = 0; b < batch; b++) {
      const q = b * gh, r = b * hidden;
      for (let u = 0; u < hidden; u++) {
        const yi = gates[q + u]!, yf = gates[q + hidden + u]!, yg = gates[q + 2 * hidden + u]!, yo = gates[q + 3 * hidden + u]!;
        // σ of each gate and its slope from one exponential.
        const ti = Math.exp(-yi), tf = Math.exp(-yf), to = Math.exp(-yo);
        const i = sigmoidFromExp(ti);
        const f = sigmoidFromExp(tf);
        const g = Math.tanh(yg);
        const o = sigmoidFromExp(to);
        const cp = cPrev[r + u]!;
        const cn = f * cp + i * g;
        const tc = Math.tanh(cn);
        local[q + u] = g * sigmoidSlopeFromExp(yi, ti, i);
        local[q + hidden + u] = cp * sigmoidSlopeFromExp(yf, tf, f);
        local[q + 2 * hidden + u] = i * tanhSlopeGiven(yg, g);
        local[q + 3 * hidden + u] = tc * sigmoidSlopeFromExp(yo, to, o);
        gates[q + hidden + u] = f;
        aux[r + u] = o * tanhSlopeGiven(cn, tc);
        c[r + u] = cn;
        h[r + u] = o * tc;
      }
    }
  },
  backward(batch: number, hidden: number, v: StepViews, dh: FloatArray, dc: FloatArray): void {
    const { gates, aux, dPreInput } = v;
    const gh = 4 * hidden;
    for (let b = 0; b < batch; b++) {
      const q = b * gh, r = b * hidden;
      for (let u = 0; u < hidden; u++) {
        const dhu = dh[r + u]!;
        const dct = dc[r + u]! + dhu * aux[r + u]!;
        dPreInput[q + u] = dct * dPreInput[q + u]!;
        dPreInput[q + hidden + u] = dct * dPreInput[q + hidden + u]!;
        dPreInput[q + 2 * hidden + u] = dct * dPreInput[q + 2 * hidden + u]!;
        dPreInput[q + 3 * hidden + u] = dhu * dPreInput[q + 3 * hidden + u]!;
        dc[r + u] = dct * gates[q + hidden + u]!;
      }
    }
  },
};
