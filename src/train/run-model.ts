import type { InputSequences, RnnModel } from '../cells/model.js';
import { loadRnnFile } from '../io/model-file.js';
import { findReadout, type NamedReadout } from '../io/readout.js';
import { readSafetensors } from '../io/safetensors-file.js';
import type { ModelSource } from '../io/model-source.js';
import { Rng } from '../linalg/random.js';
import { resolveTrainConfig, type TrainConfigInput } from './config.js';
import { listCheckpoints, readConfig, readRunFile, RunDirError, type Checkpoint } from '../record/index.js';
import { createTask, VOCABULARY_FILE } from './tasks/index.js';
import { CHECKPOINT_FILES } from './run-recorder.js';

/**
 * A trained network from a run directory (its latest checkpoint, or the one of `epoch`) and
 * held-out input sequences from the run's own task, to take its spectrum on the data it
 * learned from.
 */
export function runModelAndInputs(
  dir: string,
  options: { epoch?: number; batch: number; steps: number; seed: number },
): { model: RnnModel; inputs: InputSequences; checkpoint: Checkpoint } {
  const { model, checkpoint, heldOutInputs } = runModel(dir, options);
  return { model, inputs: heldOutInputs(options.batch, options.steps, options.seed), checkpoint };
}

/**
 * `runModelAndInputs` in two steps: the network first, its held-out inputs when asked for (so
 * that their size can be weighed before they are made).
 */
export function runModel(
  dir: string,
  options: { epoch?: number },
): {
  model: RnnModel; source: ModelSource; checkpoint: Checkpoint; heldOutInputs: (batch: number, steps: number, seed: number) => InputSequences;
  /** The checkpoint's readout (for a closed loop: it must map h to the input), read when asked for. */
  checkpointReadout: () => NamedReadout;
  /** Forecasting tasks: the teacher-forced steps of held-out data before a closed loop. */
  closedLoopWarmup?: number;
} {
  const checkpoints = listCheckpoints(dir);
  if (checkpoints.length === 0 && (readConfig(dir) as { cell?: unknown }).cell === 'esn') {
    throw new RunDirError(dir, 'is an echo-state run (train --cell esn): its closed-loop spectrum is in spectra.jsonl and the reservoir in model.safetensors; spectrum and clv read recurrent networks only');
  }
  const checkpoint = options.epoch === undefined ? checkpoints.at(-1) : checkpoints.find((c) => c.epoch === options.epoch);
  if (checkpoint === undefined) {
    const have = checkpoints.map((c) => c.epoch).join(', ') || 'none';
    throw new RunDirError(dir, options.epoch === undefined ? 'has no checkpoint yet' : `has no checkpoint of epoch ${options.epoch} (epochs: ${have})`);
  }
  const modelFile = checkpoint.files[CHECKPOINT_FILES.model];
  if (modelFile === undefined) throw new RunDirError(dir, `checkpoint of epoch ${checkpoint.epoch} lists no model file`);
  const config = resolveTrainConfig(readConfig(dir) as TrainConfigInput);
  const vocabulary = readRunFile(dir, VOCABULARY_FILE);
  const task = createTask(config.task, vocabulary === undefined ? {} : { [VOCABULARY_FILE]: vocabulary });
  const { model, source } = loadRnnFile(modelFile);
  return {
    model,
    source,
    checkpoint,
    heldOutInputs: (batch, steps, seed) => task.spectrumInputs(batch, steps, new Rng(seed)),
    checkpointReadout: () => {
      const file = checkpoint.files[CHECKPOINT_FILES.readout];
      if (file === undefined) throw new RunDirError(dir, `checkpoint of epoch ${checkpoint.epoch} lists no readout file`);
      return { ...findReadout(readSafetensors(file).tensors, file, model, ''), prefix: 'readout.', names: ['readout.weight', 'readout.bias'] };
    },
    ...(task.closedLoop === undefined ? {} : { closedLoopWarmup: task.closedLoop.warmup }),
  };
}
