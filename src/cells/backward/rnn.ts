import type { FloatArray } from '../../linalg/precision.js';
import { cellTraits } from '../model.js';
import type { CellStep, StepViews } from './step.js';

/**
 * Vanilla RNN h_t = φ(pre), pre = W x + b_ih + U h_{t-1} + b_hh. The cached activation h_t is
 * all backward needs: tanh' = 1 − h², relu' = [h > 0] (PyTorch takes relu'(0) = 0).
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
          const a = Math.tanh(gates[p]!);
          gates[p] = a;
          h[p] = a;
        }
      }
    },
    backward(batch: number, hidden: number, v: StepViews, dh: FloatArray): void {
      const { h, dPreInput } = v;
      const n = batch * hidden;
      if (relu) {
        for (let p = 0; p < n; p++) dPreInput[p] = h[p]! > 0 ? dh[p]! : 0;
      } else {
        for (let p = 0; p < n; p++) {
          const a = h[p]!;
          dPreInput[p] = dh[p]! * (1 - a * a);
        }
      }
    },
  };
}

export const rnnTanhStep = makeRnnStep(false);
export const rnnReluStep = makeRnnStep(true);
