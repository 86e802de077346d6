import type { FloatArray } from '../../linalg/precision.js';
import { tanhSlopeGiven } from '../activations.js';
import { cellTraits } from '../model.js';
import type { CellStep, StepViews } from './step.js';

/**
 * Vanilla RNN h_t = φ(pre), pre = W x + b_ih + U h_{t-1} + b_hh. Backward needs the slope only:
 * relu' = [h > 0] from the activation (PyTorch takes relu'(0) = 0), tanh' = sech²(pre) kept in
 * `gates` by forward (from the pre-activation: 1 − h² would cancel to 0 in saturation).
 */
function makeRnnStep(relu: boolean): CellStep {
  return {
    ...cellTraits(relu ? 'rnn_relu' : 'rnn_tanh'),
    forward(batch: number, hidden: number, v: StepViews): void {
      const { gates, h } = v;
      const n = batch * hidden;
      if (relu) {
        for (let p = 0; p < n; p++) {
          const y = gates[p]!;
          const a = y > 0 ? y : 0;
          gates[p] = a;
          h[p] = a;
        }
      } else {
        for (let p = 0; p < n; p++) {
          const y = gates[p]!;
          const a = Math.tanh(y);
          h[p] = a;
          gates[p] = tanhSlopeGiven(y, a);
        }
      }
    },
    backward(batch: number, hidden: number, v: StepViews, dh: FloatArray): void {
      const { gates, h, dPreInput } = v;
      const n = batch * hidden;
      if (relu) {
        for (let p = 0; p < n; p++) dPreInput[p] = h[p]! > 0 ? dh[p]! : 0;
      } else {
        for (let p = 0; p < n; p++) dPreInput[p] = dh[p]! * gates[p]!;
      }
    },
  };
}

export const rnnTanhStep = makeRnnStep(false);
export const rnnReluStep = makeRnnStep(true);
