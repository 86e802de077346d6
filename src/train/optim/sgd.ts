import type { FloatArray, FloatArrayConstructor } from '../../linalg/precision.js';
import { copyBuffersInto, type Optimizer, type OptimizerState } from './optimizer.js';
import { TrainConfigError } from '../errors.js';

/**
 * SGD with momentum as torch.optim.SGD (dampening 0, not Nesterov): the buffer starts as the
 * first gradient, then b ← μ b + g; p ← p − lr · b. Plain SGD when μ = 0.
 */
export class Sgd implements Optimizer {
  readonly name = 'sgd';
  private readonly buffer: FloatArray;
  private steps = 0;

  constructor(size: number, make: FloatArrayConstructor, private readonly momentum = 0) {
    if (!(momentum >= 0 && momentum < 1)) throw new TrainConfigError(`SGD momentum must be in [0, 1), got ${momentum}`);
    this.buffer = new make(momentum > 0 ? size : 0);
  }

  step(params: FloatArray, grad: FloatArray, lr: number): void {
    const { momentum, buffer } = this;
    if (momentum === 0) {
      for (let i = 0; i < params.length; i++) params[i] -= lr * grad[i]!;
    } else if (this.steps === 0) {
      buffer.set(grad);
      for (let i = 0; i < params.length; i++) params[i] -= lr * grad[i]!;
    } else {
      for (let i = 0; i < params.length; i++) {
        const b = momentum * buffer[i]! + grad[i]!;
        buffer[i] = b;
        params[i] -= lr * b;
      }
    }
    this.steps++;
  }

  exportState(): OptimizerState {
    return { steps: this.steps, buffers: this.momentum > 0 ? { momentum_buffer: Float64Array.from(this.buffer) } : {} };
  }

  importState(state: OptimizerState): void {
    if (this.momentum > 0) copyBuffersInto(state, ['momentum_buffer'], [this.buffer], 'SGD');
    this.steps = state.steps;
  }
}
