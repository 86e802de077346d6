import type { InputSequences, InputSource, LstmState, RnnModel } from '../cells/model.js';
import { createCellSystem } from '../cells/index.js';
import { createKernels } from '../linalg/backends.js';
import type { LinalgKernels } from '../linalg/kernels.js';
import { spectrumFromSums, spectrumSums, type SpectrumOptions, type SpectrumResult, type SpectrumSums } from '../lyapunov/index.js';
import { closedLoopSystem, isAutonomousStarts, type AutonomousStarts, type ClosedLoop } from './closed-loop.js';
import { modelDescription, type ModelDescription } from './description.js';
import { SpectrumInputError } from './errors.js';
import { checkSpectrumInputs, spectrumLstmState } from './inputs.js';
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

export interface ModelSpectrumOptions extends Omit<SpectrumOptions, 'firstTrajectory'> {
  /** LSTM only: the joint (h, c) state (default) or h at fixed c, as in the authors' code. */
  lstmState?: LstmState;
  /** Kernels of the forward step when they differ from `kernels` (float64 beside float32 tangent kernels). */
  forwardKernels?: LinalgKernels;
  /**
   * Run the model on its own predictions: the readout of the top layer's h is the next input
   * (see cells/closed-loop.ts). The inputs are then the autonomous starts, or sequences whose first
   * `warmup` steps drive a teacher-forced warm-up; `transient` and `steps` are closed-loop steps.
   */
  closedLoop?: ClosedLoop;
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
    ? closedLoopSystem(model, source, options.closedLoop, transient + options.steps, cellOptions)
    : createCellSystem(model, source as InputSource, cellOptions);
  const sums = spectrumSums(system, { ...options, kernels, transient, k: Math.min(options.k ?? system.dim, system.dim), firstTrajectory });
  return { sums, model: modelDescription(model, system.dim, lstmState) };
}
