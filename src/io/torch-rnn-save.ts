/**
 * Saving an RnnModel as a PyTorch state dict in safetensors (loadable by
 * `model.load_state_dict(safetensors.torch.load_file(path))` and by loadRnnModel).
 * `__metadata__.cell` always records the cell kind, so vanilla RNNs load without --cell.
 */
import { gateCount, type RnnModel } from '../cells/model.js';
import { ModelFileError } from './errors.js';
import { writeSafetensors, type TensorInput } from './safetensors-write.js';
import { checkFinite, formatShape, type Fail } from './tensor-checks.js';
import { torchLayerNames } from './torch-rnn-names.js';

export interface SaveRnnOptions {
  /** Stored element type: F32 (PyTorch's default) unless F64 is asked for. */
  dtype?: 'F32' | 'F64';
  /** Prepended to every parameter name, as in a larger module ('rnn.'). */
  prefix?: string;
}

/** The model's parameters under their PyTorch names, validated against its configuration. */
export function rnnStateDict(model: RnnModel, options: SaveRnnOptions = {}, targetName = '<state dict>'): Record<string, TensorInput> {
  const { dtype = 'F32', prefix = '' } = options;
  const rows = gateCount(model.cell) * model.hiddenSize;
  if (model.layers.length !== model.numLayers) {
    throw new ModelFileError(targetName, `model has numLayers ${model.numLayers} but ${model.layers.length} layers of weights`);
  }
  const state: Record<string, TensorInput> = {};
  model.layers.forEach((weights, layer) => {
    const names = torchLayerNames(prefix, layer);
    const add = (name: string, data: Float64Array | undefined, shape: number[]): void => {
      const fail: Fail = (detail) => {
        throw new ModelFileError(targetName, detail, name);
      };
      if (data === undefined) fail(`missing from layer ${layer} of a model with bias`);
      const count = shape.reduce((product, size) => product * size, 1);
      if (data.length !== count) fail(`has ${data.length} values; shape ${formatShape(shape)} of layer ${layer} needs ${count}`);
      checkFinite(data, shape, fail);
      state[name] = { dtype, shape, data };
    };
    add(names.weightIh, weights.weightIh, [rows, layer === 0 ? model.inputSize : model.hiddenSize]);
    add(names.weightHh, weights.weightHh, [rows, model.hiddenSize]);
    if (model.bias) {
      add(names.biasIh, weights.biasIh, [rows]);
      add(names.biasHh, weights.biasHh, [rows]);
    }
  });
  return state;
}

/**
 * Write the model (plus `extra` tensors such as a readout or optimiser state, and string
 * `metadata`) atomically to `path`. Refuses non-finite weights: the file would not load.
 */
export function saveRnnModel(
  path: string,
  model: RnnModel,
  extra: Record<string, TensorInput> = {},
  metadata: Record<string, string> = {},
  options: SaveRnnOptions = {},
): void {
  const state = rnnStateDict(model, options, path);
  for (const name of Object.keys(extra)) {
    if (Object.hasOwn(state, name)) throw new ModelFileError(path, 'extra tensor has the name of a model parameter', name);
  }
  if (metadata.cell !== undefined && metadata.cell !== model.cell) {
    throw new ModelFileError(path, `metadata cell '${metadata.cell}' contradicts the model's cell '${model.cell}'`);
  }
  writeSafetensors(path, { ...state, ...extra }, { ...metadata, cell: model.cell });
}
