import type { InputSequences, LstmState } from '../cells/model.js';
import type { LinalgKernels } from '../linalg/kernels.js';
import { modelSpectrum, spectrumStateDimension, type ModelSpectrumResult } from '../model-spectrum/index.js';
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
  /** A QR every this many steps (default 1), the interval guarded (see `SpectrumOptions.qrEvery`); 'auto': see probeQrEvery. */
  qrEvery?: number | 'auto';
  /** Seed of the initial orthonormal basis. */
  seed: number;
  /**
   * Forecasters: the spectrum of the closed loop (the readout feeding the next input), after this
   * many teacher-forced steps of the inputs; absent: driven by the inputs (open loop).
   */
  closedLoopWarmup?: number;
}

/** Steps of held-out input a probe needs: the warm-up in closed loop, else transient + steps. */
export function probeInputSteps(config: SpectrumProbeConfig): number {
  return config.closedLoopWarmup === undefined ? config.transient + config.steps : Math.max(1, config.closedLoopWarmup);
}

/**
 * 'auto': a QR every 4 steps for k < 0.9·n, where the basis is formed as Q anyway and skipping
 * three QRs in four makes a trained network's k = 32 of n = 64–128 spectrum 1.3–1.4× cheaper;
 * every step for k ≥ 0.9·n, where the basis kept as reflectors (which needs a QR every step)
 * costs as little or less (vanilla RNN, n = 64: 1.35× less). The exponents agree to ~1e-12.
 */
export function probeQrEvery(qrEvery: number | 'auto', k: number, n: number): number {
  return qrEvery !== 'auto' ? qrEvery : k < 0.9 * n ? 4 : 1;
}

/** The spectrum of the current weights driven by `inputs` (transient + steps long). */
export function probeSpectrum(
  params: NetworkParams, inputs: InputSequences, config: SpectrumProbeConfig, kernels?: LinalgKernels,
): ModelSpectrumResult {
  const { model, readout } = toRnnModel(params);
  const warmup = config.closedLoopWarmup;
  return modelSpectrum(model, inputs, {
    ...(warmup === undefined ? {} : { closedLoop: { readout, warmup } }),
    k: config.k,
    transient: config.transient,
    steps: config.steps,
    seed: config.seed,
    tracePoints: 20,
    ...(config.lstmState === undefined ? {} : { lstmState: config.lstmState }),
    ...(config.qrEvery === undefined ? {} : { qrEvery: probeQrEvery(config.qrEvery, config.k, spectrumStateDimension(model, config)) }),
    ...(kernels === undefined ? {} : { kernels }),
  });
}
