/**
 * The closed loop of a forecaster: a recurrent network whose readout (an nn.Linear from the top
 * layer's h to the input, x_{t+1} = W_out·h_t + b_out) feeds its own next input, so that the
 * network runs autonomously: s ↦ cell(W_out·h_top(s) + b_out, s).
 *
 * Exact tangent. Differentiating the autonomous step adds one path to the driven (open-loop)
 * Jacobian: δx = W_out·δh_top, entering layer 0 through W_ih0. So layer 0 sees the top layer's
 * δh before the step through the fused feedback weight F = W_ih0·W_out (G·H×H, formed once here),
 * exactly as layer l > 0 sees layer l − 1's new δh through W_ih_l. For stacked layers that makes
 * the Jacobian's block (layer 0, top layer) non-zero — no longer block lower-triangular — yet the
 * tangent is still one bottom-up sweep (Q's top rows are known before the step). Cost per step
 * and tangent column: one more G·H×H product, 2·G·H² flops, as much as one more layer's U; the
 * log-det goes through the dense Jacobian (O(n³)), since no closed form is left.
 */
import { SpectrumError } from '../lyapunov/errors.js';
import { ModelError } from './errors.js';
import { gateCount, type InputStream, type RnnModel } from './model.js';
import { createFeedbackCellSystem, type CellSystem, type CellSystemOptions } from './system.js';
import { checkTensor } from './validate.js';

/** An nn.Linear from the top layer's h to the model's input: weight [I, H] row-major, bias [I] (absent: bias=False). */
export interface Readout {
  weight: Float64Array;
  bias?: Float64Array;
}

export interface ClosedLoopOptions extends CellSystemOptions {
  /** Independent autonomous trajectories B (they differ by their initial states). */
  batch: number;
  /** Steps the system may take (t < steps): the spectrum's transient + steps. */
  steps: number;
}

/** Throws a ModelError unless `readout` maps the model's hidden size to its input size, with finite values. */
export function validateReadout(model: Pick<RnnModel, 'inputSize' | 'hiddenSize'>, readout: Readout): void {
  const { inputSize: i, hiddenSize: h } = model;
  checkTensor('readout weight', readout.weight, i * h, `[input size, hidden size] = [${i}, ${h}]`);
  if (readout.bias !== undefined) checkTensor('readout bias', readout.bias, i, `[input size] = [${i}]`);
}

/**
 * The autonomous network as a CellSystem (state layout, LSTM modes, tangent paths and log-det as
 * for `createCellSystem`). A state that grows until its readout is no longer finite stops with
 * the spectrum's SpectrumError, as a diverging driven run does.
 */
export function createClosedLoopSystem(model: RnnModel, readout: Readout, options: ClosedLoopOptions): CellSystem {
  validateReadout(model, readout);
  const { batch, steps, ...cellOptions } = options;
  for (const [name, v] of [['batch', batch], ['steps', steps]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ModelError(`closed loop: ${name} is ${v}, expected a positive integer`);
  }
  const { inputSize: I, hiddenSize: H } = model;
  let system: CellSystem | undefined;
  const stream: InputStream = {
    batch, steps, size: I,
    readStep(t, out) {
      const top = system!.output();
      for (let b = 0; b < batch; b++) {
        for (let i = 0; i < I; i++) {
          let x = readout.bias?.[i] ?? 0;
          for (let j = 0; j < H; j++) x += readout.weight[i * H + j]! * top[b * H + j]!;
          if (!Number.isFinite(x)) {
            throw new SpectrumError(`state diverged: the readout of trajectory ${b} is ${x} before closed-loop step ${t}; the closed loop is unstable for these weights`);
          }
          out[b * I + i] = x;
        }
      }
    },
  };
  system = createFeedbackCellSystem(model, stream, feedbackWeight(model, readout.weight), cellOptions);
  return system;
}

/** F = W_ih0·W_out, G·H×H row-major: how the top layer's h drives layer 0's gates through the readout. */
function feedbackWeight(model: RnnModel, readoutWeight: Float64Array): Float64Array {
  const { inputSize: I, hiddenSize: H } = model;
  const rows = gateCount(model.cell) * H;
  const w = model.layers[0]!.weightIh;
  const out = new Float64Array(rows * H);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < I; i++) {
      const a = w[r * I + i]!;
      for (let j = 0; j < H; j++) out[r * H + j] = out[r * H + j]! + a * readoutWeight[i * H + j]!;
    }
  }
  return out;
}
