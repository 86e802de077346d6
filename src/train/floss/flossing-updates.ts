import type { LstmState } from '../../cells/model.js';
import type { LinalgKernels } from '../../linalg/kernels.js';
import { arrayType, type FloatArray } from '../../linalg/precision.js';
import type { Rng } from '../../linalg/random.js';
import { findTensor, toRnnModel, type NetworkParams } from '../network.js';
import { Adam } from '../optim/adam.js';
import type { OptimizerState } from '../optim/optimizer.js';
import type { Task } from '../tasks/task.js';
import { flossUpdatesAt, type FlossConfig } from './config.js';
import { flossingLoss } from './flossing-loss.js';

/** What an epoch's flossing updates saw: the mean loss over them, and the exponents (sorted) of the last. */
export interface FlossingSummary {
  updates: number;
  loss: number;
  lambda: number[];
}

/**
 * The flossing updates of a training run: each takes fresh task sequences (from the epoch's own
 * random stream, so a resumed run draws the same ones), computes flossingLoss in float64 on the
 * current weights, and steps the flossing Adam with weight · gradient on the recurrent weights
 * (the readout's gradient is zero). The Adam's state goes into every checkpoint.
 */
export class FlossingUpdates {
  private readonly optimizer: Adam;
  private readonly grad: FloatArray;

  constructor(
    private readonly config: FlossConfig,
    private readonly params: NetworkParams,
    private readonly task: Task,
    private readonly options: { lr: number; lstmState: LstmState; basisSeed: number; kernels?: LinalgKernels },
  ) {
    this.optimizer = new Adam(params.values.length, arrayType(params.precision));
    this.grad = new (arrayType(params.precision))(params.values.length);
  }

  /** The updates due before epoch `epoch`'s batches (none: null). */
  run(epoch: number, rng: () => Rng): FlossingSummary | null {
    const count = flossUpdatesAt(this.config, epoch);
    if (count === 0) return null;
    const { config, params } = this;
    const random = rng();
    let lossSum = 0;
    let lambda: number[] = [];
    for (let u = 0; u < count; u++) {
      const inputs = this.task.spectrumInputs(config.batch, config.transient + config.steps, random);
      const { model } = toRnnModel(params);
      const result = flossingLoss(model, inputs, {
        k: config.k, target: config.target, transient: config.transient, steps: config.steps,
        lstmState: this.options.lstmState, seed: this.options.basisSeed,
        ...(this.options.kernels ? { kernels: this.options.kernels } : {}),
      });
      this.grad.fill(0);
      result.grads.forEach((layer, l) => {
        for (const [role, g] of Object.entries(layer) as [keyof typeof layer, Float64Array][]) {
          const tensor = findTensor(params.layout, role, l);
          for (let i = 0; i < g.length; i++) this.grad[tensor.offset + i] = config.weight * g[i]!;
        }
      });
      this.optimizer.step(params.values, this.grad, config.lr ?? this.options.lr);
      lossSum += result.loss;
      lambda = [...result.exponents].sort((a, b) => b - a);
    }
    return { updates: count, loss: lossSum / count, lambda };
  }

  exportState(): OptimizerState {
    return this.optimizer.exportState();
  }

  importState(state: OptimizerState): void {
    this.optimizer.importState(state);
  }
}
