/**
 * The spectrum of a leaky one-layer network read from a file (io/leaky-file.ts): a rate network,
 * autonomous or driven by Gaussian noise, started from seeded N(0, 1) states (its zero state is a
 * fixed point without bias); or an echo-state network, in closed loop (its readout feeding its
 * input: the autonomous reservoir W + W_in·W_out) from the zero state and B − 1 small seeded
 * perturbations of it, or driven by Gaussian noise from the zero state.
 */
import { closedLoopEchoState, createEchoStateSystem, createRateSystem, zeroInputs, type InputSource } from '../cells/index.js';
import type { LeakyFile } from '../io/leaky-file.js';
import type { LinalgKernels } from '../linalg/kernels.js';
import { Rng } from '../linalg/random.js';
import { lyapunovSpectrum } from '../lyapunov/spectrum.js';
import { START_SPREAD } from './closed-loop.js';
import { SpectrumInputError } from './errors.js';
import type { ModelSpectrumResult } from './model-spectrum.js';
import { driveStream } from './random-drive.js';

export interface LeakySpectrumOptions {
  batch: number;
  steps: number;
  transient: number;
  /** Exponents; default the state dimension N. */
  k?: number;
  /** Seed of the starts, the drive and the initial basis. */
  seed: number;
  /** 'none': autonomous (zero input); 'gaussian': N(0, 1) inputs. Default: none for a rate network; an ESN needs closedLoop or 'gaussian'. */
  drive?: 'none' | 'gaussian';
  /** An echo-state network's closed loop. */
  closedLoop?: boolean;
  kernels?: LinalgKernels;
}

/** B states of N values: row b from a generator seeded with (seed, b), scaled by `spread`; row 0 zero when `zeroFirst`. */
function seededStates(batch: number, n: number, seed: number, spread: number, zeroFirst: boolean): Float64Array {
  const states = new Float64Array(batch * n);
  for (let b = zeroFirst ? 1 : 0; b < batch; b++) {
    new Rng((Math.imul(seed, 0x2c1b3c6d) ^ Math.imul(b + 1, 0x297a2d39)) >>> 0).fillNormal(states.subarray(b * n, (b + 1) * n), spread);
  }
  return states;
}

export function leakySpectrum(file: LeakyFile, options: LeakySpectrumOptions): ModelSpectrumResult {
  const { batch, steps, transient, seed, kernels } = options;
  const { model } = file;
  const n = model.hiddenSize;
  const k = options.k ?? n;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new SpectrumInputError(`k must be an integer in [1, ${n}] (the state dimension), got ${k}`);
  const total = transient + steps;
  const drive = options.drive ?? (file.kind === 'rate' || options.closedLoop ? 'none' : undefined);
  if (file.kind === 'rate' && options.closedLoop) throw new SpectrumInputError(`${file.file}: a rate network has no readout to close a loop with; drop --closed-loop`);
  if (file.kind === 'esn' && options.closedLoop && drive === 'gaussian') throw new SpectrumInputError('an echo-state closed loop feeds its own predictions: drop --drive');
  if (drive === undefined) throw new SpectrumInputError(`${file.file}: an echo-state network runs in closed loop (--closed-loop) or driven (--drive gaussian)`);
  const inputs: InputSource = drive === 'gaussian'
    ? driveStream({ kind: 'gaussian', batch, steps: total, size: model.inputSize, seed })
    : zeroInputs(batch, total, model.inputSize);
  const system = file.kind === 'rate'
    ? createRateSystem(file.model, inputs, { initialState: seededStates(batch, n, seed, 1, false), ...(kernels ? { kernels } : {}) })
    : createEchoStateSystem(options.closedLoop ? closedLoopEchoState(file.model, file.readout) : file.model, inputs, {
      initialState: seededStates(batch, n, seed, options.closedLoop ? START_SPREAD : 0, true), ...(kernels ? { kernels } : {}),
    });
  const result = lyapunovSpectrum(system, { k, steps, transient, seed, ...(kernels ? { kernels } : {}) });
  return { ...result, model: { cell: model.cell, inputSize: model.inputSize, hiddenSize: n, numLayers: 1, bias: model.bias !== undefined, stateDim: n } };
}
