import type { LstmState, RnnModel } from '../cells/model.js';

/** What a spectrum result says of the model it was taken of (`ModelSpectrumResult.model`). */
export type ModelDescription = {
  cell: string; inputSize: number; hiddenSize: number; numLayers: number; bias: boolean; stateDim: number; lstmState?: LstmState;
};

export function modelDescription(model: RnnModel, stateDim: number, lstmState: LstmState | undefined): ModelDescription {
  const { cell, inputSize, hiddenSize, numLayers, bias } = model;
  return { cell, inputSize, hiddenSize, numLayers, bias, stateDim, ...(lstmState ? { lstmState } : {}) };
}

/**
 * The model in one line, e.g. 'lstm · 2 layers · hidden 3 · input 3 · state dim 12 (joint h, c)'
 * (the CLI's table; plots join the parts with ', '). Fields missing from a description read
 * back from a file (a report's input) are left out.
 */
export function describeModel(model: { readonly [K in keyof ModelDescription]?: unknown }, separator = ' · '): string {
  const { cell, numLayers, hiddenSize, inputSize, bias, stateDim, lstmState } = model;
  const state = lstmState === undefined ? '' : lstmState === 'h' ? ' (h only)' : ' (joint h, c)';
  return [
    cell === undefined ? undefined : String(cell),
    numLayers === undefined ? undefined : `${numLayers} layer${numLayers === 1 ? '' : 's'}`,
    hiddenSize === undefined ? undefined : `hidden ${hiddenSize}`,
    inputSize === undefined ? undefined : `input ${inputSize}`,
    bias === false ? 'no bias' : undefined,
    stateDim === undefined ? undefined : `state dim ${stateDim}${state}`,
  ].filter((part) => part !== undefined).join(separator);
}
