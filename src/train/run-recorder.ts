import { ModelFileError } from '../io/errors.js';
import { readSafetensors } from '../io/safetensors-file.js';
import { encodeSafetensors, type TensorInput } from '../io/safetensors-write.js';
import { rnnModelFromTensors } from '../io/torch-rnn.js';
import { rnnStateDict } from '../io/torch-rnn-save.js';
import type { CellKind } from '../cells/model.js';
import { fromRnnModel, toRnnModel, type NetworkParams, type NetworkSpec } from './network.js';
import type { OptimizerState } from './optim/optimizer.js';
import type { Precision } from '../linalg/precision.js';
import type { EpochMetrics, SpectrumRecord } from '../record/index.js';
import type { RunStart, TrainCheckpoint, TrainRecorder } from './recorder.js';
import { RunDirError, type RunDirectory } from '../record/index.js';

/**
 * Checkpoint files, by suffix of checkpoints/epoch-NNNN.*:
 * - `safetensors`: the recurrent network as a PyTorch state dict (weight_ih_l0 …), loadable by
 *   nn.RNN/LSTM/GRU.load_state_dict(strict=True) and by loadRnnModel;
 * - `readout.safetensors`: the readout as an nn.Linear state dict (weight [O, H], bias [O]);
 * - `optimizer.safetensors`: the optimizer's buffers (Adam exp_avg, exp_avg_sq; SGD momentum_buffer),
 *   and in runs with gradient flossing the flossing Adam's as floss.exp_avg, floss.exp_avg_sq.
 * Tensors are stored in the training precision (F32 or F64), so a resumed run continues from
 * exactly the same bits.
 */
export const CHECKPOINT_FILES = {
  model: 'safetensors',
  readout: 'readout.safetensors',
  optimizer: 'optimizer.safetensors',
} as const;

/** The run's network and task description (written when the run starts). */
export const NETWORK_FILE = 'network.json';

interface CheckpointState {
  precision: Precision;
  optimizer: { steps: number };
  /** Runs with gradient flossing: the flossing Adam's steps (its buffers are FLOSS_PREFIX… in the optimizer file). */
  flossOptimizer?: { steps: number };
}

/** Prefix of the flossing optimizer's buffers in the optimizer file. */
const FLOSS_PREFIX = 'floss.';

/**
 * The network of a checkpoint: the recurrent state dict and the readout file (see
 * CHECKPOINT_FILES), in the given precision. `cell` is needed only for files without metadata.
 */
export function readCheckpointNetwork(modelPath: string, readoutPath: string, precision: Precision, cell?: CellKind): NetworkParams {
  const model = rnnModelFromTensors(readSafetensors(modelPath), modelPath, cell === undefined ? {} : { cell });
  const readoutTensors = readSafetensors(readoutPath).tensors;
  const tensor = (name: string) => {
    const found = readoutTensors.get(name);
    if (found === undefined) throw new ModelFileError(readoutPath, 'the readout tensor is missing', name);
    return Float64Array.from(found.data);
  };
  return fromRnnModel(model, { weight: tensor('weight'), bias: tensor('bias') }, precision);
}

/** Records a training run in a run directory (see rundir.ts). */
export class RunRecorder implements TrainRecorder {
  constructor(readonly run: RunDirectory, private readonly precision: Precision) {}

  resumePoint(network: NetworkSpec): TrainCheckpoint | null {
    const from = this.run.resumedFrom;
    if (from === undefined) return null;
    const fail = (detail: string): never => {
      throw new RunDirError(this.run.dir, `checkpoint epoch ${from.epoch}: ${detail}`);
    };
    const state = from.state as Partial<CheckpointState> | null;
    if (state?.precision !== this.precision || !Number.isSafeInteger(state.optimizer?.steps)) {
      fail(`its state ${JSON.stringify(state)} does not record precision ${this.precision} and optimizer steps`);
    }
    const path = (suffix: string) => from.files[suffix] ?? fail(`file ${suffix} is missing`);
    const params = readCheckpointNetwork(path(CHECKPOINT_FILES.model), path(CHECKPOINT_FILES.readout), this.precision, network.cell);
    for (const key of Object.keys(network) as (keyof NetworkSpec)[]) {
      if (params.spec[key] !== network[key]) fail(`its network has ${key} = ${params.spec[key]}, the run's config gives ${network[key]}`);
    }
    const buffers: OptimizerState['buffers'] = {};
    const flossBuffers: OptimizerState['buffers'] = {};
    for (const [name, t] of readSafetensors(path(CHECKPOINT_FILES.optimizer)).tensors) {
      if (name.startsWith(FLOSS_PREFIX)) flossBuffers[name.slice(FLOSS_PREFIX.length)] = Float64Array.from(t.data);
      else buffers[name] = Float64Array.from(t.data);
    }
    const flossSteps = state!.flossOptimizer?.steps;
    return {
      epoch: from.epoch, step: from.step, params, optimizer: { steps: state!.optimizer!.steps, buffers },
      ...(flossSteps === undefined ? {} : { flossOptimizer: { steps: flossSteps, buffers: flossBuffers } }),
    };
  }

  start(run: RunStart): void {
    for (const [name, text] of Object.entries(run.artifacts)) this.run.writeFile(name, text);
    this.run.writeFile(NETWORK_FILE, `${JSON.stringify({ network: run.network, task: run.task }, null, 2)}\n`);
  }

  metrics(record: EpochMetrics): void {
    this.run.append('metrics', record);
  }

  spectrum(record: SpectrumRecord): void {
    this.run.append('spectra', record);
  }

  checkpoint(checkpoint: TrainCheckpoint): void {
    const dtype = this.precision === 'float32' ? 'F32' : 'F64';
    const { model, readout } = toRnnModel(checkpoint.params);
    const name = (suffix: string) => `epoch-${checkpoint.epoch}.${suffix}`;
    const modelBytes = encodeSafetensors(
      rnnStateDict(model, { dtype }, name(CHECKPOINT_FILES.model)),
      { cell: model.cell, format: 'pytorch' },
      name(CHECKPOINT_FILES.model),
    );
    const readoutBytes = encodeSafetensors({
      weight: { dtype, shape: [checkpoint.params.spec.outputSize, checkpoint.params.spec.hiddenSize], data: readout.weight },
      bias: { dtype, shape: [checkpoint.params.spec.outputSize], data: readout.bias },
    }, { format: 'pytorch', module: 'nn.Linear' }, name(CHECKPOINT_FILES.readout));
    const buffers: Record<string, TensorInput> = {};
    for (const [key, data] of Object.entries(checkpoint.optimizer.buffers)) buffers[key] = { dtype, shape: [data.length], data };
    const floss = checkpoint.flossOptimizer;
    for (const [key, data] of Object.entries(floss?.buffers ?? {})) buffers[FLOSS_PREFIX + key] = { dtype, shape: [data.length], data };
    const state: CheckpointState = {
      precision: this.precision, optimizer: { steps: checkpoint.optimizer.steps },
      ...(floss === undefined ? {} : { flossOptimizer: { steps: floss.steps } }),
    };
    this.run.saveCheckpoint({
      epoch: checkpoint.epoch,
      step: checkpoint.step,
      files: {
        [CHECKPOINT_FILES.model]: modelBytes,
        [CHECKPOINT_FILES.readout]: readoutBytes,
        [CHECKPOINT_FILES.optimizer]: encodeSafetensors(buffers, {}, name(CHECKPOINT_FILES.optimizer)),
      },
      state,
    });
  }
}
