import type { FloatArray } from '../../linalg/precision.js';

/** An update rule over the flat parameter vector (PyTorch semantics). */
export interface Optimizer {
  readonly name: string;
  /** One update from the gradient `grad` at learning rate `lr`. */
  step(params: FloatArray, grad: FloatArray, lr: number): void;
  /** Everything needed to continue exactly where it stopped (for checkpoints). */
  exportState(): OptimizerState;
  importState(state: OptimizerState): void;
}

export interface OptimizerState {
  /** Updates taken so far. */
  steps: number;
  /** Named buffers, each as long as the parameter vector. */
  buffers: Record<string, Float64Array>;
}

export interface OptimizerConfig {
  name: 'adam' | 'sgd';
  /** Adam: β1, β2 (default 0.9, 0.999) and ε (default 1e-8). */
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** SGD: momentum μ (default 0: plain SGD). */
  momentum?: number;
}

export function copyBuffersInto(state: OptimizerState, names: string[], targets: FloatArray[], optimizer: string): void {
  names.forEach((name, i) => {
    const source = state.buffers[name];
    const target = targets[i]!;
    if (source === undefined || source.length !== target.length) {
      throw new RangeError(
        `${optimizer} state buffer ${name} has ${source?.length ?? 'no'} entries, expected ${target.length} (one per parameter)`,
      );
    }
    target.set(source);
  });
}
