import type { FloatArray } from '../../linalg/precision.js';
import type { CellTraits } from '../model.js';

/**
 * The arrays one time step of one layer reads and writes, B rows each (row b = sequence b;
 * gate g, unit u of a row at g·H + u, PyTorch's gate order). Views into the layer's buffers
 * for the whole chunk, made once per (batch, steps) shape.
 */
export interface StepViews {
  /** [B × G·H]: the pre-activations on entry to `forward` (W x + U h + biases, or W x + b_ih
   * for cells with `separateProjections`); afterwards what the cell's backward reads (tanh RNN:
   * the slope sech² of the pre-activation; LSTM: f in the f slot; GRU: r and z in their slots). */
  gates: FloatArray;
  /** [B × G·H]: U h + b_hh, for cells with `separateProjections` (GRU); shared scratch. */
  hidden: FloatArray;
  /** [B × H]: what else backward needs: LSTM o ⊙ tanh'(c_t); unused by the GRU. */
  aux: FloatArray;
  hPrev: FloatArray;
  h: FloatArray;
  /** [B × H] cell state before and after the step (LSTM only; empty otherwise). */
  cPrev: FloatArray;
  c: FloatArray;
  /** [B × G·H] ∂loss/∂(input-side pre-activation) = what W and b_ih see, written by `backward`.
   * Between this step's `forward` and `backward` it holds the step's local derivatives (LSTM,
   * GRU): `forward` writes there, per gate, the factor that `backward` scales in place by the
   * incoming gradient (nothing else may touch it in between). The slopes in those factors are
   * taken from the pre-activations (../activations.ts), accurate in saturation. */
  dPreInput: FloatArray;
  /** [B × G·H] ∂loss/∂(hidden-side pre-activation) = what U and b_hh see (the same array as
   * dPreInput unless `separateProjections`). */
  dPreHidden: FloatArray;
}

export interface CellStep extends CellTraits {
  forward(batch: number, hidden: number, v: StepViews): void;
  /**
   * dh: ∂loss/∂h_t (all paths). dc (LSTM): ∂loss/∂c_t from later steps on entry, ∂loss/∂c_{t-1}
   * on exit. dhPrev: written with the direct part of ∂loss/∂h_{t-1} when `directHidden`.
   */
  backward(batch: number, hidden: number, v: StepViews, dh: FloatArray, dc: FloatArray, dhPrev: FloatArray): void;
}
