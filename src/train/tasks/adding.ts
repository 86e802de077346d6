/**
 * The adding problem (Hochreiter & Schmidhuber 1997, in the form of Le et al. 2015): each step
 * carries a value drawn from U(0, 1) and a marker; exactly two steps are marked, one in each
 * half of the sequence, and the target is the sum of their values, read at the last step with
 * squared error. Predicting the mean 1 scores Var(u₁ + u₂) = 1/6.
 */
import { checkInteger, type Task } from './task.js';
import { syntheticTask, type SyntheticSizes } from './synthetic.js';

export interface AddingOptions extends SyntheticSizes {
  /** Sequence length T ≥ 2. Default 50. */
  length?: number;
}

export function addingTask(options: AddingOptions = {}): Task {
  const length = checkInteger('adding.length', options.length ?? 50, 2);
  const half = Math.floor(length / 2);
  return syntheticTask(
    {
      name: 'adding',
      inputSize: 2,
      outputSize: 1,
      loss: 'mse',
      steps: length,
      oneHotInputs: false,
      chanceLoss: 1 / 6,
      chanceAccuracy: null,
      options: { length },
      write(rng, out, b) {
        const { inputs, targets } = out;
        const base = b * length * 2;
        for (let t = 0; t < length; t++) inputs[base + 2 * t] = rng.uniform();
        const first = rng.int(half);
        const second = half + rng.int(length - half);
        inputs[base + 2 * first + 1] = 1;
        inputs[base + 2 * second + 1] = 1;
        targets[b] = inputs[base + 2 * first]! + inputs[base + 2 * second]!;
      },
    },
    options,
  );
}
