/**
 * `spectrum --closed-loop`: the flags, their checks, and what the model's autonomous run starts
 * from (perturbed zero states, or a teacher-forced warm-up over the first steps of --inputs).
 */
import type { Command } from 'commander';
import { inputSequencesShape, loadInputSequences, type RnnFile } from '../io/index.js';
import { START_SPREAD, type ClosedLoop } from '../model-spectrum/index.js';
import { UsageError } from './errors.js';
import { integer } from './parse.js';
import type { InputFlags, InputPlan, RunInputs } from './spectrum-inputs.js';

export interface ClosedLoopFlags {
  closedLoop?: boolean;
  readout?: string;
  warmup?: number;
}

/** The JSON's record of a closed loop's start, enough to make it again. */
export type ClosedLoopDescription =
  | { kind: 'closed-loop'; readout: string; starts: 'perturbed'; spread: number; seed: number }
  | { kind: 'closed-loop'; readout: string; starts: 'warmup'; file: string; warmup: number }
  | { kind: 'closed-loop'; readout: string; starts: 'warmup'; run: string; epoch: number; seed: number; warmup: number };

export function addClosedLoopOptions(command: Command): Command {
  return command
    .option('--closed-loop', 'run the model on its own predictions: the readout (an nn.Linear from the top layer\'s h to the input: fc.weight/fc.bias or readout.*) ' +
      'gives the next input, x_{t+1} = W_out·h_t + b_out; the Jacobian includes that feedback (docs/closed-loop.md). Starts from h₀ = 0 and --batch − 1 ' +
      `perturbations of it (ε = ${START_SPREAD}, --seed), or after a teacher-forced --warmup over --inputs; --transient and --steps are closed-loop steps`)
    .option('--readout <PREFIX>', 'with --closed-loop: the readout\'s module prefix, as in decoder. for decoder.weight and decoder.bias (default: found by name, fc or readout)')
    .option('--warmup <W>', 'with --closed-loop and --inputs (or a run directory): teacher-forced steps run before the closed loop (default 0; a run directory: its task\'s warmup, held-out data)', integer('--warmup', 0));
}

/** --readout and --warmup belong to --closed-loop, which is started by a warm-up over --inputs or by nothing else. */
export function checkClosedLoopFlags(flags: ClosedLoopFlags & InputFlags & { compat?: string }): void {
  if (!flags.closedLoop) {
    const stray = (['readout', 'warmup'] as const).find((name) => flags[name] !== undefined);
    if (stray !== undefined) throw new UsageError(`--${stray} goes with --closed-loop`);
    return;
  }
  const driver = (['drive', 'text', 'tokens', 'compat'] as const).find((name) => flags[name] !== undefined);
  if (driver !== undefined) throw new UsageError(`--closed-loop feeds the model its own predictions: drop --${driver} (give --inputs for a teacher-forced warm-up)`);
}

/** The closed loop's start and its readout, for `file`'s model (read with its readout: loadOptionsOf). */
export function closedLoopPlan(file: RnnFile, flags: ClosedLoopFlags & InputFlags, modelPath: string, run?: RunInputs): {
  inputs: Omit<InputPlan, 'description'> & { description: ClosedLoopDescription }; closedLoop: ClosedLoop;
} {
  if (file.readout === undefined) throw new UsageError(`--closed-loop needs a model file with a readout; ${modelPath} was read without one`);
  const readout = file.readout;
  const closedLoop: ClosedLoop = { readout: { weight: readout.weight, ...(readout.bias ? { bias: readout.bias } : {}) }, warmup: flags.warmup ?? 0 };
  const through = `its own predictions through the readout ${readout.names.map((name) => `'${name}'`).join(', ')} (closed loop)`;
  const { batch, seed } = flags;
  const size = file.model.inputSize;
  if (flags.inputs !== undefined) {
    const inputsFile = flags.inputs;
    const shape = inputSequencesShape(inputsFile);
    const warmup = flags.warmup ?? 0;
    if (shape.size !== size) throw new UsageError(`${inputsFile}: ${shape.size} features per step, but the model expects input size ${size}`);
    if (shape.steps < warmup) throw new UsageError(`${inputsFile}: ${shape.steps} steps per sequence, fewer than --warmup ${warmup}`);
    return {
      closedLoop,
      inputs: {
        shape: { ...shape, held: true }, make: () => loadInputSequences(inputsFile), throughEmbedding: false,
        description: { kind: 'closed-loop', readout: readout.prefix, starts: 'warmup', file: inputsFile, warmup },
        phrase: `${through}, after a teacher-forced warm-up of ${warmup} steps of ${inputsFile}`,
      },
    };
  }
  if (run !== undefined) {
    // A run directory: the warm-up runs over the run's own held-out data, as its training probe did.
    const warmup = flags.warmup ?? run.closedLoopWarmup ?? 0;
    const steps = Math.max(1, warmup);
    return {
      closedLoop: { ...closedLoop, warmup },
      inputs: {
        shape: { batch, steps, size, held: true }, make: () => run.heldOutInputs(batch, steps, seed), throughEmbedding: false,
        description: { kind: 'closed-loop', readout: readout.prefix, starts: 'warmup', run: run.dir, epoch: run.epoch, seed, warmup },
        phrase: `${through}, after a teacher-forced warm-up of ${warmup} steps of held-out data of ${run.dir} (epoch ${run.epoch} checkpoint, seed ${seed})`,
      },
    };
  }
  if (flags.warmup !== undefined) throw new UsageError('--warmup needs --inputs (the sequences it teacher-forces) or a run directory (its held-out data)');
  return {
    closedLoop,
    inputs: {
      shape: { batch, steps: 1, size, held: false }, make: () => ({ autonomous: true, batch, seed }), throughEmbedding: false,
      description: { kind: 'closed-loop', readout: readout.prefix, starts: 'perturbed', spread: START_SPREAD, seed },
      phrase: `${through}, from h₀ = 0${batch > 1 ? ` and ${batch - 1} perturbation${batch > 2 ? 's' : ''} of it (ε = ${START_SPREAD}, seed ${seed})` : ''}`,
    },
  };
}
