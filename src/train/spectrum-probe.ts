import type { InputSequences, LstmState } from '../cells/model.js';
import type { LinalgKernels } from '../linalg/kernels.js';
import { modelSpectrum, type ModelSpectrumResult } from '../model-spectrum/index.js';
import { toRnnModel, type NetworkParams } from './network.js';

/** How spectra are taken during training (always in eval mode: no dropout; float64). */
export interface SpectrumProbeConfig {
  /** Held-out sequences driving the network (trajectories averaged over). */
  batch: number;
  /** Steps averaged, after `transient` discarded steps. */
  steps: number;
  transient: number;
  /** Exponents computed; clamped to the state dimension. */
  k: number;
  /** LSTM state tracked: joint (h, c) (default) or h only. */
  lstmState?: LstmState;
  /** Seed of the initial orthonormal basis. */
  seed: number;
}

/** The spectrum of the current weights driven by `inputs` (transient + steps long). */
export function probeSpectrum(
  params: NetworkParams, inputs: InputSequences, config: SpectrumProbeConfig, kernels?: LinalgKernels,
): ModelSpectrumResult {
  const { model } = toRnnModel(params);
  return modelSpectrum(model, inputs, {
    k: config.k,
    transient: config.transient,
    steps: config.steps,
    seed: config.seed,
    tracePoints: 20,
    ...(config.lstmState === undefined ? {} : { lstmState: config.lstmState }),
    ...(kernels === undefined ? {} : { kernels }),
  });
}
