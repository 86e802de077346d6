import type { FloatArray, FloatArrayConstructor } from '../../linalg/precision.js';
import { copyBuffersInto, type Optimizer, type OptimizerState } from './optimizer.js';
import { TrainConfigError } from '../errors.js';

/**
 * Adam as torch.optim.Adam (no weight decay, no amsgrad): m ← β1 m + (1−β1) g,
 * v ← β2 v + (1−β2) g², p ← p − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + ε).
 */
export class Adam implements Optimizer {
  readonly name = 'adam';
  private readonly m: FloatArray;
  private readonly v: FloatArray;
  private steps = 0;

  constructor(size: number, make: FloatArrayConstructor, private readonly beta1 = 0.9, private readonly beta2 = 0.999, private readonly eps = 1e-8) {
    for (const [what, x] of [['beta1', beta1], ['beta2', beta2]] as const) {
      if (!(x >= 0 && x < 1)) throw new TrainConfigError(`Adam ${what} must be in [0, 1), got ${x}`);
    }
    if (!(eps > 0)) throw new TrainConfigError(`Adam eps must be > 0, got ${eps}`);
    this.m = new make(size);
    this.v = new make(size);
  }

  step(params: FloatArray, grad: FloatArray, lr: number): void {
    this.steps++;
    const { m, v, beta1, beta2, eps } = this;
    const stepSize = lr / (1 - beta1 ** this.steps);
    const rootCorrection = Math.sqrt(1 - beta2 ** this.steps);
    for (let i = 0; i < params.length; i++) {
      const g = grad[i]!;
      const mi = beta1 * m[i]! + (1 - beta1) * g;
      const vi = beta2 * v[i]! + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      params[i] -= (stepSize * mi) / (Math.sqrt(vi) / rootCorrection + eps);
    }
  }

  exportState(): OptimizerState {
    return { steps: this.steps, buffers: { exp_avg: Float64Array.from(this.m), exp_avg_sq: Float64Array.from(this.v) } };
  }

  importState(state: OptimizerState): void {
    copyBuffersInto(state, ['exp_avg', 'exp_avg_sq'], [this.m, this.v], 'Adam');
    this.steps = state.steps;
  }
}
