/**
 * Reading the recurrent layers of an ONNX model into PyTorch's state-dict names and layout, so
 * that `rnnModelFromTensors` builds the model as it does from safetensors. The layers are the
 * graph's RNN, GRU or LSTM nodes in graph order, which must form one chain (each fed, through
 * any reshaping nodes, by the output Y of the one before), as torch.onnx.export writes a
 * multi-layer nn.RNN / nn.GRU / nn.LSTM. Everything else in the graph is ignored.
 *
 * ONNX keeps one node's weights as W [1, G·H, I], R [1, G·H, H] and B [1, 2·G·H] = [Wb; Rb]
 * (the leading axis is the direction), with its gate blocks in its own order; PyTorch's
 * weight_ih, weight_hh, bias_ih and bias_hh are the same matrices with the blocks reordered.
 */
import type { CellKind } from '../../cells/model.js';
import { ModelFileError } from '../errors.js';
import type { SafetensorsContents, Tensor } from '../safetensors.js';
import { formatShape } from '../tensor-checks.js';
import { torchLayerNames } from '../torch-rnn-names.js';
import { readOnnxModel, type OnnxNode, type OnnxTensor } from './decode.js';
import { RECURRENT_OPS, recurrentNode, type RecurrentNode } from './recurrent-node.js';
import { onnxFloatTensor } from './tensor-proto.js';

type Fail = (detail: string, tensor?: string) => never;

/** The recurrent layers of the .onnx file at `path` as PyTorch state-dict tensors; metadata.cell names the cell. */
export function readOnnx(path: string): SafetensorsContents {
  const model = readOnnxModel(path);
  const fail: Fail = (detail, tensor) => {
    throw new ModelFileError(path, detail, tensor);
  };
  const nodes = model.graph?.node ?? [];
  const layers = nodes.filter((node) => RECURRENT_OPS.includes(node.op_type ?? '') && ONNX_DOMAINS.has(node.domain ?? ''));
  if (layers.length === 0) {
    fail(`no RNN, GRU or LSTM node in the graph (it holds ${describeOps(nodes)}); expected a model exported from nn.RNN, nn.GRU or nn.LSTM`);
  }
  const label = (layer: number) => `${layers[layer].op_type} node '${layers[layer].name ?? ''}' (layer ${layer})`;
  const producers = producerMap(nodes);
  checkChain(producers, layers, label, fail);
  const values = storedValues(model.graph?.initializer ?? [], nodes);

  const tensors = new Map<string, Tensor>();
  let cell: CellKind | undefined;
  layers.forEach((node, layer) => {
    const failNode = (detail: string): never => fail(`${label(layer)}: ${detail}`);
    const meaning = recurrentNode(node, failNode);
    if (cell !== undefined && meaning.cell !== cell) failNode(`is a ${meaning.cell} layer after a ${cell} layer; expected every layer to be the same cell`);
    cell = meaning.cell;
    const weight = (index: number, role: string): Tensor | undefined => {
      const name = node.input?.[index] ?? '';
      if (name === '') return undefined;
      const stored = values.get(name);
      if (stored === undefined) {
        const producer = producers.get(name);
        return failNode(
          `input ${role} '${name}' ` +
            (producer
              ? `is computed by a ${producer.node.op_type} node; expected an initializer or a Constant (export with do_constant_folding=True, the default)`
              : 'is a graph input without a stored value; expected an initializer or a Constant (export with export_params=True, the default)'),
        );
      }
      return onnxFloatTensor(stored, (detail) => fail(`${detail} (input ${role} of ${label(layer)})`, name));
    };
    const weights = {
      w: weight(1, 'W') ?? failNode('has no input W; expected the input weights'),
      r: weight(2, 'R') ?? failNode('has no input R; expected the recurrent weights'),
      b: weight(3, 'B'),
    };
    for (const [name, tensor] of torchLayer(weights, meaning, layer, failNode)) tensors.set(name, tensor);
  });
  const producer = [model.producer_name, model.producer_version].filter(Boolean).join(' ');
  return { tensors, metadata: { cell: cell!, ...(producer ? { producer } : {}) } };
}

/**
 * One layer's W, R and optional B as PyTorch's weight_ih, weight_hh, bias_ih and bias_hh of
 * layer `layer`, after checking their shapes.
 */
function torchLayer(
  { w, r, b }: { w: Tensor; r: Tensor; b?: Tensor },
  meaning: RecurrentNode,
  layer: number,
  fail: (detail: string) => never,
): [string, Tensor][] {
  const gates = meaning.torchGateOrder;
  const misfit = (tensor: Tensor, role: string, shape: string) =>
    fail(`input ${role} has shape ${formatShape(tensor.shape)}; expected ${shape} (one direction, G = ${gates.length} gates${role === 'R' ? '' : `, H = ${r.shape[2]}`})`);
  const [directions, rows, hidden] = r.shape;
  if (r.shape.length !== 3 || directions !== 1 || !(hidden >= 1) || rows !== gates.length * hidden) misfit(r, 'R', '[1, G·H, H]');
  if (meaning.hiddenSize !== undefined && meaning.hiddenSize !== hidden) fail(`attribute hidden_size = ${meaning.hiddenSize} but R has H = ${hidden}`);
  if (w.shape.length !== 3 || w.shape[0] !== 1 || w.shape[1] !== rows || !(w.shape[2] >= 1)) misfit(w, 'W', '[1, G·H, I]');
  const names = torchLayerNames('', layer);
  const layerTensors: [string, Tensor][] = [
    [names.weightIh, reorderGates(w, 0, gates, hidden, [rows, w.shape[2]])],
    [names.weightHh, reorderGates(r, 0, gates, hidden, [rows, hidden])],
  ];
  if (b !== undefined) {
    if (b.shape.length !== 2 || b.shape[0] !== 1 || b.shape[1] !== 2 * rows) misfit(b, 'B', '[1, 2·G·H] (Wb then Rb)');
    layerTensors.push([names.biasIh, reorderGates(b, 0, gates, hidden, [rows])], [names.biasHh, reorderGates(b, rows, gates, hidden, [rows])]);
  }
  return layerTensors;
}

/** The domains of ONNX's own operators. */
const ONNX_DOMAINS = new Set(['', 'ai.onnx']);

/**
 * The `gates.length` blocks of `hidden` rows that start at element row `firstRow` of `source`,
 * put in PyTorch's order: block j of the result is block gates[j] of the source.
 */
function reorderGates(source: Tensor, firstRow: number, gates: number[], hidden: number, shape: number[]): Tensor {
  const rowLength = shape.length === 2 ? shape[1] : 1;
  const blockLength = hidden * rowLength;
  const data = new Float64Array(gates.length * blockLength);
  const values = source.data as Float64Array;
  gates.forEach((from, to) => {
    const start = (firstRow + from * hidden) * rowLength;
    data.set(values.subarray(start, start + blockLength), to * blockLength);
  });
  return { dtype: source.dtype, shape, data };
}

/** Each value name with a stored tensor: the initializers and the outputs of Constant nodes. */
function storedValues(initializers: OnnxTensor[], nodes: OnnxNode[]): Map<string, OnnxTensor> {
  const values = new Map<string, OnnxTensor>();
  for (const tensor of initializers) if (tensor.name) values.set(tensor.name, tensor);
  for (const node of nodes) {
    const value = node.op_type === 'Constant' ? node.attribute?.find((a) => a.name === 'value')?.t : undefined;
    const output = node.output?.[0];
    if (value !== undefined && output) values.set(output, value);
  }
  return values;
}

/** The node that computes each value, and which of its outputs the value is. */
type Producers = Map<string, { node: OnnxNode; output: number }>;

function producerMap(nodes: OnnxNode[]): Producers {
  const producers: Producers = new Map();
  for (const node of nodes) (node.output ?? []).forEach((name, output) => name && producers.set(name, { node, output }));
  return producers;
}

const OUTPUT_NAMES = ['Y', 'Y_h', 'Y_c'];

/**
 * Each layer after the first must read, through any other nodes, the output Y of the layer
 * before and no other recurrent node's output; the first must read none. This is what a stack
 * of layers looks like, and tells it apart from models with several RNNs side by side.
 */
function checkChain(producers: Producers, layers: OnnxNode[], label: (layer: number) => string, fail: Fail): void {
  layers.forEach((node, layer) => {
    const found = new Set<string>();
    const seen = new Set<string>();
    const pending = [node.input?.[0] ?? ''];
    while (pending.length > 0) {
      const name = pending.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const source = producers.get(name);
      if (source === undefined) continue;
      const index = layers.indexOf(source.node);
      if (index >= 0) found.add(`output ${OUTPUT_NAMES[source.output] ?? source.output} of ${label(index)}`);
      else pending.push(...(source.node.input ?? []));
    }
    const expected = layer === 0 ? [] : [`output Y of ${label(layer - 1)}`];
    if (found.size !== expected.length || expected.some((source) => !found.has(source))) {
      fail(
        `${label(layer)} reads ${found.size === 0 ? 'no recurrent layer' : [...found].join(' and ')}; expected the layers to form one stack, ` +
          `each reading the output Y of the one before (${layers.length} RNN/GRU/LSTM nodes found: models with several RNNs are not supported)`,
      );
    }
  });
}

/** The op types of a graph's nodes, for saying what it holds instead of recurrent layers. */
function describeOps(nodes: OnnxNode[]): string {
  if (nodes.length === 0) return 'no nodes';
  const counts = new Map<string, number>();
  for (const node of nodes) counts.set(node.op_type ?? '?', (counts.get(node.op_type ?? '?') ?? 0) + 1);
  const listed = [...counts].slice(0, 10).map(([op, count]) => (count > 1 ? `${op} ×${count}` : op));
  return `${listed.join(', ')}${counts.size > 10 ? `, … (${counts.size} op types)` : ''}`;
}
