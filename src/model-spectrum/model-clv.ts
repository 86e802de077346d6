import type { AutonomousStarts } from './closed-loop.js';
import { createCellSystem } from '../cells/index.js';
import type { RnnModel } from '../cells/model.js';
import { createKernels } from '../linalg/backends.js';
import type { LinalgKernels } from '../linalg/kernels.js';
import { clvSummary, covariantLyapunovVectors, type ClvOptions, type ClvResult, type ClvSummary, type StatePart } from '../lyapunov/index.js';
import { modelDescription, type ModelDescription } from './description.js';
import { checkSpectrumInputs, spectrumLstmState } from './inputs.js';
import { inputSource, type SpectrumInputs } from './model-spectrum.js';
import type { LstmState } from '../cells/model.js';

export interface ModelClvOptions extends Omit<ClvOptions, 'firstTrajectory' | 'kernels'> {
  /** LSTM only: the joint (h, c) state (default) or h at fixed c. */
  lstmState?: LstmState;
  /** Default: the wasm kernels (the js reference when build/kernels.wasm is missing). */
  kernels?: LinalgKernels;
}

export interface ModelClvResult {
  clv: ClvResult;
  summary: ClvSummary;
  model: ModelDescription;
}

/**
 * The covariant Lyapunov vectors of a recurrent network driven by input sequences (one thread):
 * `transient` steps run first, then the window and the backward transient, so every sequence
 * must hold transient + window + backwardTransient steps. The summary says where each CLV lives:
 * its weight on each layer's h (and c, for the joint LSTM state).
 */
export function modelClv(model: RnnModel, inputs: Exclude<SpectrumInputs, AutonomousStarts>, options: ModelClvOptions): ModelClvResult {
  const { lstmState: requested, kernels = createKernels('wasm'), ...clvOptions } = options;
  checkSpectrumInputs(model, inputs, { steps: options.window + options.backwardTransient, transient: options.transient ?? 0 });
  const lstmState = spectrumLstmState(model, requested ? { lstmState: requested } : {});
  const system = createCellSystem(model, inputSource(inputs), { ...(lstmState ? { lstmState } : {}), kernels });
  const clv = covariantLyapunovVectors(system, { ...clvOptions, kernels, k: Math.min(options.k ?? system.dim, system.dim) });
  return { clv, summary: clvSummary(clv, stateParts(model, lstmState)), model: modelDescription(model, system.dim, lstmState) };
}

/** The cell system's state layout: per layer [h_l], or [h_l, c_l] for the joint LSTM state. */
export function stateParts(model: Pick<RnnModel, 'numLayers' | 'hiddenSize'>, lstmState: LstmState | undefined): StatePart[] {
  const h = model.hiddenSize;
  const joint = lstmState === 'joint';
  const layer = (l: number) => (model.numLayers > 1 ? `${l}` : '');
  return Array.from({ length: model.numLayers }, (_, l) => joint
    ? [{ name: `h${layer(l)}`, start: 2 * h * l, length: h }, { name: `c${layer(l)}`, start: 2 * h * l + h, length: h }]
    : [{ name: `h${layer(l)}`, start: h * l, length: h }]).flat();
}
