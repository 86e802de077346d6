/**
 * Delayed XOR: every step carries a random bit and a marker; the first two steps are marked,
 * and after `delay` more steps of distractor bits the network must output the XOR of the two
 * marked bits (cross-entropy on the last step, 2 classes; guessing scores ln 2).
 */
import { checkInteger, type Task } from './task.js';
import { syntheticTask, type SyntheticSizes } from './synthetic.js';

export interface XorOptions extends SyntheticSizes {
  /** Distractor steps after the two marked bits. Default 20. */
  delay?: number;
}

export function xorTask(options: XorOptions = {}): Task {
  const delay = checkInteger('xor.delay', options.delay ?? 20, 0);
  const steps = delay + 2;
  return syntheticTask(
    {
      name: 'xor',
      inputSize: 2,
      outputSize: 2,
      loss: 'ce-last',
      steps,
      oneHotInputs: false,
      chanceLoss: Math.log(2),
      chanceAccuracy: 1 / 2,
      options: { delay },
      write(rng, out, b) {
        const { inputs, targets } = out;
        const base = b * steps * 2;
        for (let t = 0; t < steps; t++) inputs[base + 2 * t] = rng.int(2);
        inputs[base + 1] = 1;
        inputs[base + 3] = 1;
        targets[b] = inputs[base]! ^ inputs[base + 2]!;
      },
    },
    options,
  );
}
