/**
 * Tasks whose examples are generated in code: every training epoch draws fresh episodes from
 * the loop's rng; the validation and test sets are drawn from their own fixed seeds, so they
 * are the same for every run and every batch size.
 */
import type { InputSequences } from '../../cells/model.js';
import { Rng } from '../../linalg/random.js';
import {
  batchRanges,
  checkInteger,
  oneHot,
  type Batch,
  type EvalSplit,
  type Task,
  type TaskDescription,
  type TaskLoss,
  type TaskName,
} from './task.js';

/** Options every synthetic task takes. */
export interface SyntheticSizes {
  /** Episodes per training epoch. Default 10000. */
  trainSize?: number;
  /** Episodes in each of the validation and test sets. Default 1000. */
  evalSize?: number;
  /** Seed of the validation and test sets. Default 0. */
  seed?: number;
}

/** Where one episode is written: arrays of a whole batch, episode `b` of them. */
export interface EpisodeTarget {
  steps: number;
  inputSize: number;
  outputSize: number;
  /** Filled by writers of dense-input tasks. */
  inputs: Float64Array;
  /** [B×T], filled instead of `inputs` by writers of one-hot tasks. */
  symbols: Int32Array | undefined;
  /** Per-step classes [B×T], last-step classes [B] or last-step values [B×O], by the task's loss. */
  targets: Int32Array | Float64Array;
  /** [B×T] for 'ce-per-step' tasks; writers set 1 where the step counts. */
  mask: Uint8Array | undefined;
}

export interface EpisodeGenerator {
  name: Extract<TaskName, 'copy' | 'adding' | 'xor'>;
  inputSize: number;
  outputSize: number;
  loss: Exclude<TaskLoss, 'mse-per-step'>;
  steps: number;
  /** Inputs are one-hot over inputSize: the writer fills `symbols`, expanded to `inputs` after. */
  oneHotInputs: boolean;
  chanceLoss: number;
  chanceAccuracy: number | null;
  /** The task's own options, resolved (sizes and seed are added by `syntheticTask`). */
  options: Record<string, number>;
  /** Draws episode `b` from `rng` into `out` (arrays arrive zeroed). */
  write(rng: Rng, out: EpisodeTarget, b: number): void;
}

const EVAL_SEED_SALT: Readonly<Record<EvalSplit, number>> = { validation: 0x5a170001, test: 0x7e570002 };

export function syntheticTask(generator: EpisodeGenerator, sizes: SyntheticSizes): Task {
  const trainSize = checkInteger(`${generator.name}.trainSize`, sizes.trainSize ?? 10000, 1);
  const evalSize = checkInteger(`${generator.name}.evalSize`, sizes.evalSize ?? 1000, 1);
  const seed = checkInteger(`${generator.name}.seed`, sizes.seed ?? 0, 0, 0xffffffff);
  const { name, inputSize, outputSize, loss, steps, chanceLoss, chanceAccuracy } = generator;

  const episodes = (count: number, rng: Rng): Batch => {
    const out: EpisodeTarget = {
      steps,
      inputSize,
      outputSize,
      inputs: new Float64Array(generator.oneHotInputs ? 0 : count * steps * inputSize),
      symbols: generator.oneHotInputs ? new Int32Array(count * steps) : undefined,
      targets:
        loss === 'mse'
          ? new Float64Array(count * outputSize)
          : new Int32Array(loss === 'ce-last' ? count : count * steps),
      mask: loss === 'ce-per-step' ? new Uint8Array(count * steps) : undefined,
    };
    for (let b = 0; b < count; b++) generator.write(rng, out, b);
    const { symbols } = out;
    const shape = { batch: count, steps, inputSize, ...(symbols ? { inputs: oneHot(symbols, inputSize), symbols } : { inputs: out.inputs }) };
    if (loss === 'mse') return { ...shape, loss, outputSize, targets: out.targets as Float64Array };
    if (loss === 'ce-last') return { ...shape, loss, targets: out.targets as Int32Array };
    return { ...shape, loss, targets: out.targets as Int32Array, mask: out.mask };
  };

  function* drawn(count: number, batchSize: number, rng: Rng): Generator<Batch> {
    for (const [, size] of batchRanges(count, batchSize)) yield episodes(size, rng);
  }

  // What both the task and its description state.
  const core = { inputSize, outputSize, loss, steps, trainSize, chanceLoss, chanceAccuracy };
  return {
    name,
    ...core,
    batches: (batchSize, rng) => drawn(trainSize, batchSize, rng),
    evalBatches: (split, batchSize) => drawn(evalSize, batchSize, new Rng((seed ^ EVAL_SEED_SALT[split]) >>> 0)),
    spectrumInputs(batch: number, spectrumSteps: number, rng: Rng): InputSequences {
      checkInteger('spectrum batch', batch, 1);
      checkInteger('spectrum steps', spectrumSteps, 1);
      const data = new Float64Array(batch * spectrumSteps * inputSize);
      const perEpisode = steps * inputSize;
      for (let b = 0; b < batch; b++) {
        for (let at = 0; at < spectrumSteps * inputSize; at += perEpisode) {
          const episode = episodes(1, rng).inputs;
          const length = Math.min(perEpisode, spectrumSteps * inputSize - at);
          data.set(episode.subarray(0, length), b * spectrumSteps * inputSize + at);
        }
      }
      return { batch, steps: spectrumSteps, size: inputSize, data };
    },
    describe(): TaskDescription {
      return {
        spec: { name, ...generator.options, trainSize, evalSize, seed },
        ...core,
      };
    },
    artifacts: () => ({}),
  };
}
