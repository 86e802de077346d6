/** `sweep init`: a commented sweep spec that loads and runs as written, to edit into one's own. */
import { writeFileSync } from 'node:fs';
import { SweepError } from '../errors.js';

export const SWEEP_SPEC_TEMPLATE = `# A sweep: one network per point of \`parameters\`, each trained from the \`base\` training config,
# with Lyapunov spectra taken during training; \`analyze\` then asks whether the early spectrum
# predicts the final loss. Every key, its type and default: docs/sweep-spec.md.
#
#   npx rnn-lyapunov sweep FILE --out runs/my-sweep     # all cores; re-run the same command to resume
#   npx rnn-lyapunov sweep status runs/my-sweep
#   npx rnn-lyapunov analyze runs/my-sweep
name: my-sweep

# grid: every combination of the parameters' values. random: runCap points drawn from them.
method: grid
# Seed of the random draws (method: random only; the training seed is base.seed, or a parameter).
seed: 0
# random: the number of runs (required). grid: an upper bound on the grid's size (optional).
# runCap: 20
# Attempts at a run before it is marked failed.
maxAttempts: 3

# Dotted paths into the training config (e.g. lr, init, task.length), each with a list of
# \`values\` or a range: min, max, distribution (uniform | log_uniform | int); a grid also needs
# \`count\`, the number of evenly spaced points. \`format\` writes the value into a string at '{}'.
parameters:
  lr: { min: 0.001, max: 0.01, distribution: log_uniform, count: 3 }
  init: { values: [0.3, 1, 2], format: 'uniform:{}' }

# Spectra during training: at initialisation and every \`every\` epochs, on \`batch\` held-out
# sequences of \`steps\` steps after \`transient\` ones, exponents λ₁..λ_k. Left out: the training
# defaults (batch 8, steps 200, transient 50, k 16, lstmState joint, qrEvery auto).
spectrum: { every: 1, batch: 4, steps: 100, transient: 20, k: 8 }

# What the readout predicts: final_<key> (last epoch) or best_<key> (lowest) of a metrics.jsonl
# key such as val_loss, from the spectrum after epoch \`epoch\`.
readout: { metric: final_val_loss, epoch: 1 }

# The training config every run starts from: the keys of a run's config.json, with the defaults
# of \`npx rnn-lyapunov train\`. task: charlm, smnist, copy, adding or xor, with its options.
base:
  task: { name: copy }
  cell: lstm
  hidden: 16
  epochs: 4
  batch: 32
  seed: 0
`;

/** Writes the template to `path`; an existing file is refused unless `force`. */
export function writeSweepTemplate(path: string, force = false): void {
  try {
    writeFileSync(path, SWEEP_SPEC_TEMPLATE, { flag: force ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new SweepError(`${path} exists: choose another file, or give --force to overwrite it`);
    throw error;
  }
}
