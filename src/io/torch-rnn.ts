/**
 * Loading a PyTorch nn.RNN / nn.LSTM / nn.GRU state dict from safetensors. The configuration
 * is inferred from the tensors: numLayers from the layer indices, hiddenSize H and the gate
 * count G from weight_hh_l0 ([G·H, H]), inputSize from weight_ih_l0 ([G·H, I]), bias from the
 * presence of bias_ih/bias_hh. G tells LSTM (4) and GRU (3) apart; for G = 1 the
 * nonlinearity (tanh or relu) is not in the weights and must come from the caller or the
 * file's `__metadata__.cell`.
 */
import { CELL_KINDS, gateCount, type CellKind, type LayerWeights, type RnnModel } from '../cells/model.js';
import { ModelFileError } from './errors.js';
import type { SafetensorsContents, Tensor } from './safetensors.js';
import { checkFinite, floatValues, formatShape } from './tensor-checks.js';
import { TORCH_RNN_PARAMETER, torchLayerNames } from './torch-rnn-names.js';

export interface LoadRnnOptions {
  /** The cell kind; required for G = 1 unless the file's metadata names it. */
  cell?: CellKind;
  /** Name prefix of the RNN's tensors (such as 'rnn.', or 'rnn' without its dot); detected when only one set is present. */
  prefix?: string;
}

const GATE_DESCRIPTION: Record<number, string> = { 1: 'rnn_tanh or rnn_relu', 3: 'gru', 4: 'lstm' };

/** Build the model from already-read file contents; `sourceName` names the file in errors. */
export function rnnModelFromTensors(
  contents: SafetensorsContents,
  sourceName: string,
  options: LoadRnnOptions = {},
): RnnModel {
  const { tensors, metadata } = contents;
  const fail = (detail: string, tensor?: string): never => {
    throw new ModelFileError(sourceName, detail, tensor);
  };
  const prefix = resolvePrefix([...tensors.keys()], options.prefix, fail);
  const numLayers = countLayers([...tensors.keys()], prefix, fail);

  const names0 = torchLayerNames(prefix, 0);
  const require = (name: string, layer: number): Tensor =>
    tensors.get(name) ?? fail(`missing tensor '${name}' for layer ${layer}`);
  const hhShape = require(names0.weightHh, 0).shape;
  const gates = hhShape.length === 2 && hhShape[1] > 0 ? hhShape[0] / hhShape[1] : NaN;
  if (!(gates in GATE_DESCRIPTION)) {
    fail(`has shape ${formatShape(hhShape)}; expected [G·H, H] with G = 1 (RNN), 3 (GRU) or 4 (LSTM) and H ≥ 1`, names0.weightHh);
  }
  const hiddenSize = hhShape[1];
  const rows = gates * hiddenSize;
  const cell = resolveCell(gates, hhShape, names0.weightHh, options.cell, metadata.cell, fail);

  const ihShape = require(names0.weightIh, 0).shape;
  if (ihShape.length !== 2 || ihShape[0] !== rows || ihShape[1] < 1) {
    fail(`has shape ${formatShape(ihShape)}; expected [${rows}, I] (G·H = ${gates}·${hiddenSize}, input size I ≥ 1)`, names0.weightIh);
  }
  const inputSize = ihShape[1];

  const layers: LayerWeights[] = [];
  let bias: boolean | undefined;
  for (let layer = 0; layer < numLayers; layer++) {
    const names = torchLayerNames(prefix, layer);
    const load = (name: string, shape: number[]): Float64Array => {
      const tensor = require(name, layer);
      const bound = (detail: string): never => fail(detail, name);
      if (tensor.shape.length !== shape.length || tensor.shape.some((size, axis) => size !== shape[axis])) {
        bound(`has shape ${formatShape(tensor.shape)}; expected ${formatShape(shape)} for layer ${layer} of the ${cell} (H = ${hiddenSize}, G = ${gates})`);
      }
      const values = floatValues(tensor, bound);
      checkFinite(values, tensor.shape, bound);
      return values;
    };
    const weights: LayerWeights = {
      weightIh: load(names.weightIh, [rows, layer === 0 ? inputSize : hiddenSize]),
      weightHh: load(names.weightHh, [rows, hiddenSize]),
    };
    const hasIh = tensors.has(names.biasIh);
    const hasHh = tensors.has(names.biasHh);
    if (hasIh !== hasHh) {
      const [present, missing] = hasIh ? [names.biasIh, names.biasHh] : [names.biasHh, names.biasIh];
      fail(`missing tensor '${missing}' for layer ${layer} ('${present}' is present)`);
    }
    if (bias !== undefined && hasIh !== bias) {
      fail(`layer 0 ${bias ? 'has' : 'has no'} biases but layer ${layer} ${hasIh ? 'has' : 'has none'}; expected biases in every layer or in none`);
    }
    bias = hasIh;
    if (hasIh) {
      weights.biasIh = load(names.biasIh, [rows]);
      weights.biasHh = load(names.biasHh, [rows]);
    }
    layers.push(weights);
  }
  return { cell, inputSize, hiddenSize, numLayers, bias: bias ?? false, layers };
}

/** The prefixes under which RNN parameters appear ('' for a bare nn.RNN state dict), in file order. */
export function rnnPrefixes(names: Iterable<string>): string[] {
  const prefixes = new Set<string>();
  for (const name of names) {
    const match = TORCH_RNN_PARAMETER.exec(name);
    if (match) prefixes.add(match[1]);
  }
  return [...prefixes];
}

/**
 * The prefix of the RNN to load: the one asked for (with or without its trailing '.'), else the
 * only one present.
 */
export function resolvePrefix(names: string[], requested: string | undefined, fail: (detail: string) => never): string {
  const prefixes = rnnPrefixes(names);
  if (prefixes.length === 0) {
    fail(
      `no RNN weights found: expected PyTorch state-dict names weight_ih_l0, weight_hh_l0, ` +
        `bias_ih_l0, bias_hh_l0, … (optionally under a prefix such as 'rnn.'); the file holds ${listNames(names)}`,
    );
  }
  const listed = prefixes.map((p) => `'${p}'`).join(', ');
  if (requested !== undefined) {
    const found = prefixes.find((p) => p === requested || p === `${requested}.`);
    return found ?? fail(`no RNN weights under prefix '${requested}' (--prefix); the file has RNN weights under ${prefixes.length > 1 ? 'prefixes' : 'prefix'} ${listed}`);
  }
  if (prefixes.length > 1) {
    fail(`several sets of RNN weights, under prefixes ${listed}; choose one with --prefix (e.g. --prefix ${prefixes[0] || "''"})`);
  }
  return prefixes[0];
}

/** Number of layers (highest index + 1), refusing parameters we cannot represent. */
function countLayers(names: string[], prefix: string, fail: (detail: string, tensor?: string) => never): number {
  let numLayers = 0;
  for (const name of names) {
    const match = TORCH_RNN_PARAMETER.exec(name);
    if (!match || match[1] !== prefix) continue;
    const [, , , matrix, layer, reverse] = match;
    if (reverse) fail('bidirectional RNN weights (the _reverse parameters) are not supported', name);
    if (matrix === 'hr') fail('LSTM projections (proj_size > 0, the weight_hr parameters) are not supported', name);
    numLayers = Math.max(numLayers, Number(layer) + 1);
  }
  return numLayers;
}

/**
 * The cell kind: from G for LSTM/GRU, else from the caller's choice or the metadata; a
 * given choice must agree with G.
 */
function resolveCell(
  gates: number,
  hhShape: number[],
  hhName: string,
  requested: CellKind | undefined,
  fromMetadata: string | undefined,
  fail: (detail: string) => never,
): CellKind {
  const [source, value] =
    requested !== undefined ? ['--cell', requested as string] : ['__metadata__ cell', fromMetadata?.toLowerCase()];
  if (value === undefined) {
    if (gates === 4) return 'lstm';
    if (gates === 3) return 'gru';
    return fail(
      `'${hhName}' has shape ${formatShape(hhShape)}, a single gate: a vanilla RNN whose nonlinearity the ` +
        `weights do not tell; pass --cell rnn_tanh or --cell rnn_relu (or store "cell" in __metadata__)`,
    );
  }
  if (!(CELL_KINDS as readonly string[]).includes(value)) {
    fail(`${source} '${value}' is not one of ${CELL_KINDS.join(', ')}`);
  }
  const cell = value as CellKind;
  if (gateCount(cell) !== gates) {
    fail(
      `${source} ${cell} expects ${gateCount(cell)} gate${gateCount(cell) > 1 ? 's' : ''} but '${hhName}' has shape ` +
        `${formatShape(hhShape)}, i.e. G = ${gates} (${GATE_DESCRIPTION[gates]})`,
    );
  }
  return cell;
}

function listNames(names: string[]): string {
  if (names.length === 0) return 'no tensors';
  const shown = names.slice(0, 8).map((name) => `'${name}'`).join(', ');
  return names.length > 8 ? `${shown} and ${names.length - 8} more` : shown;
}
