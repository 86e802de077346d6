import type { InputSequences, InputSource, LstmState, RnnModel } from '../cells/model.js';
import { createCellSystem } from '../cells/index.js';
import { OptionError } from '../errors.js';
import { createKernels } from '../linalg/backends.js';
import type { LinalgKernels } from '../linalg/kernels.js';
// The lyapunov files themselves, not its index: the browser bundle (src/web) takes this file
// without the covariant vectors' memory check, which reads the machine's memory through node:os.
import {
  spectrumFromSums, spectrumSums, type SpectrumOptions, type SpectrumResult, type SpectrumSums,
} from '../lyapunov/spectrum.js';
import { untilConverged, type ConvergedSpectrum, type ConvergenceOptions } from '../lyapunov/until-converged.js';
import type { TangentSystem } from '../lyapunov/system.js';
import { closedLoopSystem, isAutonomousStarts, type AutonomousStarts, type ClosedLoop } from './closed-loop.js';
import { modelDescription, type ModelDescription } from './description.js';
import { SpectrumInputError } from './errors.js';
import { checkSpectrumInputs, spectrumLstmState, spectrumStateDimension } from './inputs.js';
import { driveStream, isRandomDrive, type RandomDrive } from './random-drive.js';
import { isTokenInputs, tokenStream, type TokenInputs } from './token-inputs.js';

/**
 * What drives a model's spectrum: sequences held in memory, a random drive made step by step, or
 * token ids through an embedding; in closed loop, these (the teacher-forced warm-up) or the
 * autonomous starts.
 */
export type SpectrumInputs = InputSequences | RandomDrive | TokenInputs | AutonomousStarts;

/** The inputs as the cell system reads them: held sequences as they are, the others step by step. */
export function inputSource(inputs: Exclude<SpectrumInputs, AutonomousStarts>): InputSource {
  if (isRandomDrive(inputs)) return driveStream(inputs);
  return isTokenInputs(inputs) ? tokenStream(inputs) : inputs;
}

/** How the cell system of a model is made: its LSTM state and kernels. */
export interface ModelSystemOptions {
  /** LSTM only: the joint (h, c) state (default) or h at fixed c, as in the authors' code. */
  lstmState?: LstmState;
  kernels?: LinalgKernels;
  /** Kernels of the forward step when they differ from `kernels` (float64 beside float32 tangent kernels). */
  forwardKernels?: LinalgKernels;
  /**
   * Run the model on its own predictions: the readout of the top layer's h is the next input
   * (see cells/closed-loop.ts). The inputs are then the autonomous starts, or sequences whose first
   * `warmup` steps drive a teacher-forced warm-up; `transient` and `steps` are closed-loop steps.
   */
  closedLoop?: ClosedLoop;
}

export interface ModelSpectrumOptions extends Omit<SpectrumOptions, 'firstTrajectory' | 'onJacobian'>, ModelSystemOptions {
  /**
   * Where to store every step's Jacobian, B×T×n×n row-major (T = transient + steps), rounded to
   * its element type; trajectory b of the part at b + firstTrajectory. A SharedArrayBuffer's
   * view is filled in place by every worker thread.
   */
  jacobiansOut?: Float64Array | Float32Array;
}

export interface ModelSpectrumResult extends SpectrumResult {
  model: ModelDescription;
}

/**
 * The Lyapunov spectrum of a recurrent network driven by input sequences: the first
 * `transient` steps of each sequence are run and discarded, the next `steps` are averaged.
 * `k` (default: the whole state) is clamped to the state dimension. One thread;
 * `modelSpectrumThreaded` splits the batch over worker threads.
 */
export function modelSpectrum(model: RnnModel, inputs: SpectrumInputs, options: ModelSpectrumOptions): ModelSpectrumResult {
  checkJacobianStore(model, inputs.batch, options, false);
  const { sums, model: description } = modelSpectrumSums(model, inputs, options);
  return { ...spectrumFromSums(sums), model: description };
}

/**
 * The QR iteration's sums for a model, or for one part of a batch split over threads: the
 * part's first sequence is sequence `firstTrajectory` of the whole batch (it gets that
 * sequence's random initial basis).
 */
export function modelSpectrumSums(
  model: RnnModel, inputs: SpectrumInputs, options: ModelSpectrumOptions, firstTrajectory = 0,
): { sums: SpectrumSums; model: ModelDescription } {
  const compat = options.compat === 'vogt2020';
  if (compat && model.cell === 'rnn_relu') {
    throw new SpectrumInputError("compat vogt2020 cannot reproduce a relu RNN: the authors' code applies the tanh derivative to every RNN");
  }
  if (compat && model.cell === 'lstm' && options.lstmState === 'joint') {
    throw new SpectrumInputError("compat vogt2020 tracks the LSTM's h only: drop lstmState 'joint'");
  }
  if (options.closedLoop !== undefined && compat) throw new SpectrumInputError('compat vogt2020 has no closed loop: drop one of them');
  if (options.closedLoop === undefined && isAutonomousStarts(inputs)) throw new SpectrumInputError('autonomous starts need the closedLoop option (a readout)');
  if (options.closedLoop === undefined) checkSpectrumInputs(model, inputs as Exclude<SpectrumInputs, AutonomousStarts>, options);
  // The authors' warm-up re-feeds the first steps of the averaged sequence, truncated to its length.
  const transient = compat ? Math.min(options.transient ?? 0, options.steps) : options.transient ?? 0;
  const { system, kernels, description } = modelSystem(model, inputs, options, transient + options.steps);
  const { jacobiansOut, ...spectrumOptions } = options;
  const onJacobian = jacobiansOut && storeJacobians(jacobiansOut, system.dim, transient + options.steps, firstTrajectory);
  const sums = spectrumSums(system, {
    ...spectrumOptions, kernels, transient, k: Math.min(options.k ?? system.dim, system.dim), firstTrajectory, ...(onJacobian ? { onJacobian } : {}),
  });
  return { sums, model: description };
}

/**
 * `untilConverged` for a model, in one thread: at most `maxSteps` averaged steps (default: as
 * many as the inputs hold after the transient), which the inputs must hold. The result's
 * options.steps says how many were averaged.
 */
export function modelSpectrumUntilConverged(
  model: RnnModel, inputs: SpectrumInputs, options: ConvergenceOptions & ModelSystemOptions,
): ConvergedSpectrum & ModelSpectrumResult {
  if (options.closedLoop !== undefined || isAutonomousStarts(inputs)) throw new SpectrumInputError('untilConverged has no closed loop: give steps instead');
  const maxSteps = options.maxSteps ?? inputs.steps - (options.transient ?? 0);
  checkSpectrumInputs(model, inputs, { transient: options.transient ?? 0, steps: maxSteps });
  const { system, kernels, description } = modelSystem(model, inputs, options, (options.transient ?? 0) + maxSteps);
  const { lstmState, forwardKernels, ...convergence } = options;
  const result = untilConverged(system, { ...convergence, maxSteps, kernels, k: Math.min(options.k ?? system.dim, system.dim) });
  return { ...result, options: { ...result.options, threads: 1 }, model: description };
}

/**
 * The cell system of `model` driven by `inputs` (in closed loop through its readout, for at most
 * `totalSteps` steps, when asked), the kernels of its QR, and what the result says of the model.
 */
function modelSystem(
  model: RnnModel, inputs: SpectrumInputs, options: ModelSystemOptions, totalSteps: number,
): { system: TangentSystem; kernels: LinalgKernels; description: ModelDescription } {
  const lstmState = spectrumLstmState(model, options);
  // One default for the cell system and the QR alike, the one modelSpectrumThreaded uses: the
  // result is then the same bits whichever of the two is called.
  const kernels = options.kernels ?? createKernels('wasm');
  const cellOptions = {
    ...(lstmState ? { lstmState } : {}),
    kernels,
    ...(options.forwardKernels ? { forwardKernels: options.forwardKernels } : {}),
  };
  const source = isAutonomousStarts(inputs) ? inputs : inputSource(inputs);
  const system = options.closedLoop !== undefined
    ? closedLoopSystem(model, source, options.closedLoop, totalSteps, cellOptions)
    : createCellSystem(model, source as InputSource, cellOptions);
  return { system, kernels, description: modelDescription(model, system.dim, lstmState) };
}

/**
 * Refuses a `jacobiansOut` that does not hold B×(transient + steps)×n×n entries, or that worker
 * threads (`split`) could not fill in place (not a SharedArrayBuffer's view: each would fill a copy).
 */
export function checkJacobianStore(
  model: RnnModel, batch: number, options: Pick<ModelSpectrumOptions, 'jacobiansOut' | 'transient' | 'steps' | 'lstmState' | 'compat'>, split: boolean,
): void {
  const store = options.jacobiansOut;
  if (store === undefined) return;
  const n = spectrumStateDimension(model, options);
  const [steps, expected] = [(options.transient ?? 0) + options.steps, batch * ((options.transient ?? 0) + options.steps) * n * n];
  if (store.length !== expected) {
    throw new OptionError(`jacobiansOut holds ${store.length} entries; B × (transient + steps) × n × n = ${batch} × ${steps} × ${n} × ${n} = ${expected} are needed`);
  }
  if (split && !(store.buffer instanceof SharedArrayBuffer)) {
    throw new OptionError('jacobiansOut must be a SharedArrayBuffer\'s view when the batch is split over worker threads (new Float64Array(new SharedArrayBuffer(8 * length))), or run with threads: 1');
  }
}

/** An onJacobian writing trajectory b's Jacobian of step t at [firstTrajectory + b, t] of a B×T×n×n store. */
function storeJacobians(store: Float64Array | Float32Array, n: number, steps: number, firstTrajectory: number): SpectrumOptions['onJacobian'] {
  return (t, b, jacobian) => store.set(jacobian, ((firstTrajectory + b) * steps + t) * n * n);
}
