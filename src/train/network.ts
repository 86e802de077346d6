import { CELL_KINDS, gateCount, type CellKind, type LayerWeights, type RnnModel } from '../cells/model.js';
import { arrayType, type FloatArray, type Precision } from '../linalg/precision.js';

/** A trainable network: a stacked recurrent cell and a linear readout on the top layer's h. */
export interface NetworkSpec {
  cell: CellKind;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bias: boolean;
  /** Readout outputs O (classes for cross-entropy, values for MSE). */
  outputSize: number;
}

export type ParamRole = 'weightIh' | 'weightHh' | 'biasIh' | 'biasHh' | 'readoutWeight' | 'readoutBias';

/** One tensor inside the flat parameter vector. */
export interface ParamTensor {
  /** PyTorch name: `weight_ih_l0` … as in the RNN module's state dict, `readout.weight`, `readout.bias`. */
  name: string;
  role: ParamRole;
  /** Layer index; -1 for the readout. */
  layer: number;
  shape: number[];
  offset: number;
  size: number;
}

/**
 * All parameters live in one flat vector (so the optimizer, clipping and gradient buffers are
 * single loops), tensor after tensor in PyTorch's state-dict order: per layer weight_ih,
 * weight_hh, bias_ih, bias_hh, then readout weight [O, H] and bias [O]. Each tensor is
 * row-major as in PyTorch.
 */
export interface ParamLayout {
  tensors: ParamTensor[];
  size: number;
}

export interface NetworkParams {
  spec: NetworkSpec;
  layout: ParamLayout;
  precision: Precision;
  values: FloatArray;
}

export function checkNetworkSpec(spec: NetworkSpec): NetworkSpec {
  if (!CELL_KINDS.includes(spec.cell)) {
    throw new RangeError(`network cell must be one of ${CELL_KINDS.join(', ')}, got ${String(spec.cell)}`);
  }
  for (const field of ['inputSize', 'hiddenSize', 'numLayers', 'outputSize'] as const) {
    const value = spec[field];
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`network ${field} must be an integer ≥ 1, got ${value}`);
  }
  if (typeof spec.bias !== 'boolean') throw new RangeError(`network bias must be true or false, got ${String(spec.bias)}`);
  return spec;
}

export function paramLayout(spec: NetworkSpec): ParamLayout {
  checkNetworkSpec(spec);
  const gh = gateCount(spec.cell) * spec.hiddenSize;
  const tensors: ParamTensor[] = [];
  let offset = 0;
  const add = (name: string, role: ParamRole, layer: number, shape: number[]) => {
    const size = shape.reduce((p, s) => p * s, 1);
    tensors.push({ name, role, layer, shape, offset, size });
    offset += size;
  };
  for (let l = 0; l < spec.numLayers; l++) {
    add(`weight_ih_l${l}`, 'weightIh', l, [gh, l === 0 ? spec.inputSize : spec.hiddenSize]);
    add(`weight_hh_l${l}`, 'weightHh', l, [gh, spec.hiddenSize]);
    if (spec.bias) {
      add(`bias_ih_l${l}`, 'biasIh', l, [gh]);
      add(`bias_hh_l${l}`, 'biasHh', l, [gh]);
    }
  }
  add('readout.weight', 'readoutWeight', -1, [spec.outputSize, spec.hiddenSize]);
  add('readout.bias', 'readoutBias', -1, [spec.outputSize]);
  return { tensors, size: offset };
}

/** Zero parameters of the given precision (see `initialiseParams` for a real start). */
export function createParams(spec: NetworkSpec, precision: Precision = 'float32'): NetworkParams {
  const layout = paramLayout(spec);
  return { spec: { ...spec }, layout, precision, values: new (arrayType(precision))(layout.size) };
}

export function findTensor(layout: ParamLayout, role: ParamRole, layer = -1): ParamTensor {
  const tensor = layout.tensors.find((t) => t.role === role && t.layer === layer);
  if (tensor === undefined) throw new RangeError(`network has no ${role} tensor for layer ${layer}`);
  return tensor;
}

export function tensorByName(layout: ParamLayout, name: string): ParamTensor {
  const tensor = layout.tensors.find((t) => t.name === name);
  if (tensor === undefined) {
    throw new RangeError(`network has no parameter named ${name}; it has ${layout.tensors.map((t) => t.name).join(', ')}`);
  }
  return tensor;
}

/** A view (not a copy) of one tensor of a flat vector laid out by `layout`. */
export function tensorView<A extends FloatArray>(values: A, tensor: ParamTensor): A {
  return values.subarray(tensor.offset, tensor.offset + tensor.size) as A;
}

export interface Readout {
  /** [O × H], row-major. */
  weight: Float64Array;
  /** [O]. */
  bias: Float64Array;
}

/** The recurrent part as the shared float64 `RnnModel` (for spectra and checkpoints), plus the readout. */
export function toRnnModel(params: NetworkParams): { model: RnnModel; readout: Readout } {
  const { spec, layout, values } = params;
  const copy = (role: ParamRole, layer: number) => Float64Array.from(tensorView(values, findTensor(layout, role, layer)));
  const layers: LayerWeights[] = [];
  for (let l = 0; l < spec.numLayers; l++) {
    const weights: LayerWeights = { weightIh: copy('weightIh', l), weightHh: copy('weightHh', l) };
    if (spec.bias) {
      weights.biasIh = copy('biasIh', l);
      weights.biasHh = copy('biasHh', l);
    }
    layers.push(weights);
  }
  return {
    model: {
      cell: spec.cell, inputSize: spec.inputSize, hiddenSize: spec.hiddenSize,
      numLayers: spec.numLayers, bias: spec.bias, layers,
    },
    readout: { weight: copy('readoutWeight', -1), bias: copy('readoutBias', -1) },
  };
}

/** Flat parameters from a shared `RnnModel` and a readout (shapes checked against each other). */
export function fromRnnModel(model: RnnModel, readout: Readout, precision: Precision = 'float32'): NetworkParams {
  const hidden = model.hiddenSize;
  if (readout.weight.length % hidden !== 0 || readout.weight.length === 0) {
    throw new RangeError(`readout weight has ${readout.weight.length} entries, expected outputSize × hiddenSize (${hidden})`);
  }
  const outputSize = readout.weight.length / hidden;
  if (readout.bias.length !== outputSize) {
    throw new RangeError(`readout bias has ${readout.bias.length} entries, expected ${outputSize} (rows of the readout weight)`);
  }
  const params = createParams({
    cell: model.cell, inputSize: model.inputSize, hiddenSize: hidden,
    numLayers: model.numLayers, bias: model.bias, outputSize,
  }, precision);
  if (model.layers.length !== model.numLayers) {
    throw new RangeError(`model has ${model.layers.length} layer weights, expected numLayers = ${model.numLayers}`);
  }
  for (const tensor of params.layout.tensors) {
    const source = tensor.role === 'readoutWeight' ? readout.weight
      : tensor.role === 'readoutBias' ? readout.bias
        : model.layers[tensor.layer]![tensor.role];
    if (source === undefined || source.length !== tensor.size) {
      throw new RangeError(
        `model tensor ${tensor.name} has ${source?.length ?? 'no'} entries, expected ${tensor.size} (shape [${tensor.shape.join(', ')}])`,
      );
    }
    params.values.set(source, tensor.offset);
  }
  return params;
}
