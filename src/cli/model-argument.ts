import { statSync } from 'node:fs';
import { loadRnnFile, type RnnFile } from '../io/index.js';
import { runModel } from '../train/run-model.js';
import { UsageError } from './errors.js';
import { loadOptionsOf, type SpectrumFlags } from './spectrum-options.js';
import type { RunInputs } from './spectrum-inputs.js';

/**
 * The MODEL argument of `spectrum` and `clv`: a model file (read with the flags' cell, prefix and
 * embedding), or a run directory of `train` (its checkpoint of --checkpoint, default the latest,
 * with its own held-out data as `run`).
 */
export function loadModelArgument(modelPath: string, flags: SpectrumFlags & { checkpoint?: number }): { file: RnnFile; run?: RunInputs } {
  const fromRun = statSync(modelPath, { throwIfNoEntry: false })?.isDirectory() === true;
  if (!fromRun && flags.checkpoint !== undefined) throw new UsageError('--checkpoint needs a run directory');
  if (!fromRun) return { file: loadRnnFile(modelPath, loadOptionsOf(flags)) };
  if ((flags.prefix ?? flags.embedding) !== undefined) throw new UsageError('--prefix and --embedding choose tensors of a model file, not of a run directory');
  if (flags.readout !== undefined) throw new UsageError('--readout names a module of a model file; a run directory\'s readout is its checkpoint\'s own');
  const run = runModel(modelPath, flags.checkpoint !== undefined ? { epoch: flags.checkpoint } : {});
  const file = { model: run.model, source: run.source, ...(flags.closedLoop ? { readout: run.checkpointReadout() } : {}) };
  const { closedLoopWarmup } = run;
  return { file, run: { dir: modelPath, epoch: run.checkpoint.epoch, heldOutInputs: run.heldOutInputs, ...(closedLoopWarmup === undefined ? {} : { closedLoopWarmup }) } };
}
