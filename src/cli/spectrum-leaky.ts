/**
 * `spectrum FILE` of a rate network or echo-state network file (metadata `cell: rate | esn`,
 * io/leaky-file.ts): autonomous or Gaussian-driven (rate), closed loop or Gaussian-driven (esn),
 * one thread. Flags that choose tensors, data or other machinery of the RNN path are refused.
 */
import type { Command } from 'commander';
import { readLeakyFile, type ModelSource } from '../io/index.js';
import { createKernels } from '../linalg/backends.js';
import { leakySpectrum, type ModelSpectrumResult } from '../model-spectrum/index.js';
import { UsageError } from './errors.js';
import type { SpectrumFlags } from './spectrum-options.js';

/** Flags of `spectrum` this path reads; any other given on the command line is refused. */
const LEAKY_FLAGS = new Set(['steps', 'transient', 'k', 'batch', 'seed', 'drive', 'closedLoop', 'json', 'backend', 'threads']);

export interface LeakyDescription {
  kind: 'leaky';
  cell: 'rate' | 'esn';
  drive: 'none' | 'gaussian' | 'closed-loop';
  seed: number;
}

export function spectrumOfLeakyFile(path: string, flags: SpectrumFlags, command: Command): {
  result: ModelSpectrumResult; phrase: string; source: ModelSource; inputs: LeakyDescription;
} {
  const stray = command.options.map((o) => o.attributeName()).filter((name) => command.getOptionValueSource(name) === 'cli' && !LEAKY_FLAGS.has(name));
  if (stray.length > 0) {
    throw new UsageError(`${path} is ${readLeakyFile(path).kind === 'rate' ? 'a rate' : 'an echo-state'} network file: ${stray.map((name) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} do not apply to it (it takes --steps, --transient, --k, --batch, --seed, --drive gaussian, --closed-loop)`);
  }
  if (flags.drive !== undefined && flags.drive !== 'gaussian') throw new UsageError(`--drive ${flags.drive} needs one-hot or token inputs; a rate or echo-state network file takes --drive gaussian`);
  const file = readLeakyFile(path);
  const drive = flags.drive === 'gaussian' ? 'gaussian' : 'none';
  const result = leakySpectrum(file, {
    batch: flags.batch, steps: flags.steps, transient: flags.transient, seed: flags.seed, ...(flags.drive ? { drive } : {}),
    ...(flags.k !== undefined ? { k: flags.k } : {}), ...(flags.closedLoop ? { closedLoop: true } : {}),
    kernels: createKernels(flags.backend ?? 'wasm'),
  });
  const inputs: LeakyDescription = { kind: 'leaky', cell: file.kind, drive: flags.closedLoop ? 'closed-loop' : drive, seed: flags.seed };
  const starts = file.kind === 'rate' ? `from ${flags.batch} seeded N(0, 1) states` : `from the zero state${flags.batch > 1 ? ` and ${flags.batch - 1} perturbation${flags.batch > 2 ? 's' : ''} of it` : ''}`;
  const phrase = flags.closedLoop ? `its own predictions through 'readout.weight', 'readout.bias' (closed loop), ${starts} (seed ${flags.seed})`
    : drive === 'gaussian' ? `Gaussian inputs (seed ${flags.seed}), ${starts}` : `no input (autonomous), ${starts} (seed ${flags.seed})`;
  return { result, phrase, inputs, source: file.source };
}
