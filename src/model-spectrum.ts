import type { InputSequences, LstmState, RnnModel } from './cells/model.js';
import { createCellSystem } from './cells/index.js';
import type { LinalgKernels } from './linalg/kernels.js';
import { spectrumFromSums, spectrumSums, type SpectrumOptions, type SpectrumResult, type SpectrumSums } from './lyapunov/spectrum.js';

export interface ModelSpectrumOptions extends SpectrumOptions {
  /** LSTM only: the joint (h, c) state (default) or h at fixed c, as in the authors' code. */
  lstmState?: LstmState;
  /** Kernels of the forward step when they differ from `kernels` (float64 beside float32 tangent kernels). */
  forwardKernels?: LinalgKernels;
}

export type ModelDescription = {
  cell: string; inputSize: number; hiddenSize: number; numLayers: number; bias: boolean; stateDim: number; lstmState?: LstmState;
};

export interface ModelSpectrumResult extends SpectrumResult {
  model: ModelDescription;
}

/**
 * The Lyapunov spectrum of a recurrent network driven by input sequences: the first
 * `transient` steps of each sequence are run and discarded, the next `steps` are averaged.
 * One thread; `modelSpectrumThreaded` splits the batch over worker threads.
 */
export function modelSpectrum(model: RnnModel, inputs: InputSequences, options: ModelSpectrumOptions): ModelSpectrumResult {
  const { sums, model: description } = modelSpectrumSums(model, inputs, options);
  return { ...spectrumFromSums(sums), model: description };
}

/** The QR iteration's sums for a model (or for one part of a split batch: see `firstTrajectory`). */
export function modelSpectrumSums(
  model: RnnModel, inputs: InputSequences, options: ModelSpectrumOptions,
): { sums: SpectrumSums; model: ModelDescription } {
  const compat = options.compat === 'vogt2020';
  if (compat && model.cell === 'rnn_relu') {
    throw new RangeError("compat vogt2020 cannot reproduce a relu RNN: the authors' code applies the tanh derivative to every RNN");
  }
  if (compat && model.cell === 'lstm' && options.lstmState === 'joint') {
    throw new RangeError("compat vogt2020 tracks the LSTM's h only: drop lstmState 'joint'");
  }
  // The authors' warm-up re-feeds the first steps of the averaged sequence, truncated to its length.
  const transient = compat ? Math.min(options.transient ?? 0, options.steps) : options.transient ?? 0;
  const needed = compat ? options.steps : transient + options.steps;
  if (inputs.size !== model.inputSize) {
    throw new RangeError(`inputs have ${inputs.size} features per step, but the model expects input size ${model.inputSize}`);
  }
  if (inputs.steps < needed) {
    throw new RangeError(
      compat
        ? `inputs have ${inputs.steps} steps, fewer than steps = ${options.steps}`
        : `inputs have ${inputs.steps} steps, fewer than transient + steps = ${transient} + ${options.steps} = ${needed}`,
    );
  }
  const lstmState = model.cell === 'lstm' ? options.lstmState ?? (compat ? 'h' : 'joint') : undefined;
  const system = createCellSystem(model, inputs, {
    ...(lstmState ? { lstmState } : {}),
    ...(options.kernels ? { kernels: options.kernels } : {}),
    ...(options.forwardKernels ? { forwardKernels: options.forwardKernels } : {}),
  });
  const sums = spectrumSums(system, { ...options, transient });
  return {
    sums,
    model: {
      cell: model.cell, inputSize: model.inputSize, hiddenSize: model.hiddenSize, numLayers: model.numLayers,
      bias: model.bias, stateDim: system.dim, ...(lstmState ? { lstmState } : {}),
    },
  };
}
