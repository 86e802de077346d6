/**
 * The copy task: remember a random string of `length` symbols over `delay` blank steps, then
 * reproduce it. Inputs are one-hot over the K symbols plus a blank and a "go" marker (at the
 * last delay step); the loss is cross-entropy per step on the recall phase only (mask), where
 * guessing scores ln K.
 */
import { checkInteger, type Task } from './task.js';
import { syntheticTask, type SyntheticSizes } from './synthetic.js';

export interface CopyOptions extends SyntheticSizes {
  /** Alphabet size K. Default 8. */
  symbols?: number;
  /** Symbols to remember. Default 10. */
  length?: number;
  /** Blank steps between the string and its recall, the last one carrying "go". Default 20. */
  delay?: number;
}

export function copyTask(options: CopyOptions = {}): Task {
  const symbols = checkInteger('copy.symbols', options.symbols ?? 8, 2);
  const length = checkInteger('copy.length', options.length ?? 10, 1);
  const delay = checkInteger('copy.delay', options.delay ?? 20, 1);
  const blank = symbols;
  const go = symbols + 1;
  const recallStart = length + delay;
  return syntheticTask(
    {
      name: 'copy',
      inputSize: symbols + 2,
      outputSize: symbols,
      loss: 'ce-per-step',
      steps: 2 * length + delay,
      oneHotInputs: true,
      chanceLoss: Math.log(symbols),
      chanceAccuracy: 1 / symbols,
      options: { symbols, length, delay },
      write(rng, out, b) {
        const { steps, symbols: shown, targets, mask } = out;
        for (let t = 0; t < length; t++) {
          const symbol = rng.int(symbols);
          shown![b * steps + t] = symbol;
          targets[b * steps + recallStart + t] = symbol;
          mask![b * steps + recallStart + t] = 1;
        }
        for (let t = length; t < steps; t++) shown![b * steps + t] = t === recallStart - 1 ? go : blank;
      },
    },
    options,
  );
}
