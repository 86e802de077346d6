/**
 * Reading ONNX exports (test/fixtures/onnx/, written by torch.onnx.export from the weights of
 * test/fixtures/torch/*.model.safetensors by scripts/make-onnx-fixtures.py): the state dict we
 * build from an ONNX graph must be PyTorch's own, and every variant we do not model must be
 * refused with one line naming the file and what it holds. Variants torch cannot export are made
 * by editing a fixture's protobuf.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { loadRnnModel, ModelFileError, readModelFile, readSafetensors } from '../src/io/index.js';
import { ONNX_PROTO_SUBSET } from '../src/io/onnx/onnx-proto.js';
import type { OnnxAttribute, OnnxModel, OnnxNode, OnnxTensor } from '../src/io/onnx/decode.js';
import { createKernels } from '../src/linalg/index.js';
import { modelSpectrum, randomDrive } from '../src/model-spectrum/index.js';

const ONNX_DIR = 'test/fixtures/onnx';
const TORCH_DIR = 'test/fixtures/torch';
const EXPORTS = readdirSync(ONNX_DIR).filter((file) => /_l\d_(bias|nobias)_h\d+\.onnx$/.test(file)).sort();
const root = new URL('..', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'io-onnx-'));
const modelType = protobuf.parse(ONNX_PROTO_SUBSET, { keepCase: true }).root.lookupType('onnx.ModelProto');

const safetensorsOf = (file: string) => join(TORCH_DIR, file.replace(/\.onnx$/, '.model.safetensors'));

test('an ONNX export of every cell, 1-2 layers, bias or none', () => {
  assert.equal(EXPORTS.length, 16, EXPORTS.join(' '));
  for (const cell of ['rnn_tanh', 'rnn_relu', 'lstm', 'gru']) {
    for (const shape of ['l1_bias', 'l1_nobias', 'l2_bias', 'l2_nobias']) assert.ok(EXPORTS.some((f) => f.startsWith(`${cell}_${shape}_`)), `${cell}_${shape}`);
  }
});

test("every ONNX export reads as PyTorch's state dict of the same weights, with its cell", () => {
  for (const file of EXPORTS) {
    const fromOnnx = readModelFile(join(ONNX_DIR, file));
    const fromTorch = readSafetensors(safetensorsOf(file));
    assert.deepEqual([...fromOnnx.tensors.keys()].sort(), [...fromTorch.tensors.keys()].sort(), file);
    for (const [name, tensor] of fromTorch.tensors) {
      const read = fromOnnx.tensors.get(name)!;
      assert.deepEqual(read.shape, tensor.shape, `${file} ${name}`);
      assert.deepEqual(read.data, tensor.data, `${file} ${name}`);
    }
    assert.equal(fromOnnx.metadata.cell, fromTorch.metadata.cell, file);
    assert.equal(fromOnnx.metadata.producer, 'pytorch 1.13.0', file);
  }
});

test('every ONNX export gives the spectrum of the safetensors file of the same weights, to 1e-12', () => {
  const js = createKernels('js');
  for (const file of EXPORTS) {
    const onnx = loadRnnModel(join(ONNX_DIR, file));
    const torch = loadRnnModel(safetensorsOf(file));
    assert.deepEqual([onnx.cell, onnx.numLayers, onnx.hiddenSize, onnx.inputSize, onnx.bias], [torch.cell, torch.numLayers, torch.hiddenSize, torch.inputSize, torch.bias], file);
    const drive = randomDrive('gaussian', 2, 120, torch.inputSize, 7);
    const options = { steps: 100, transient: 20, seed: 3, kernels: js };
    const expected = modelSpectrum(torch, drive, options).exponents;
    const got = modelSpectrum(onnx, drive, options).exponents;
    assert.equal(got.length, expected.length, file);
    // A relu unit that never fires has λ = −∞ in both.
    got.forEach((value, i) => assert.ok(value === expected[i] || Math.abs(value - expected[i]) <= 1e-12, `${file} λ${i + 1}: ${value} vs ${expected[i]}`));
  }
});

/** The error reading `path` gives: a ModelFileError of one line that names the file. */
function refusal(path: string): string {
  try {
    readModelFile(path);
  } catch (error) {
    assert.ok(error instanceof ModelFileError, `${path}: ${(error as Error).stack}`);
    assert.ok(error.message.startsWith(`${path}: `), error.message);
    assert.ok(!error.message.includes('\n'), error.message);
    return error.message;
  }
  return assert.fail(`${path} was read`);
}

test('exports of models we do not model are refused by what they hold', () => {
  assert.match(refusal(join(ONNX_DIR, 'lstm_bidirectional.onnx')), /LSTM node '\/LSTM' \(layer 0\): attribute direction = 'bidirectional' is not supported/);
  assert.match(refusal(join(ONNX_DIR, 'gru_side_by_side.onnx')), /\(layer 1\) reads no recurrent layer; expected the layers to form one stack/);
  assert.match(refusal(join(ONNX_DIR, 'linear_only.onnx')), /no RNN, GRU or LSTM node in the graph \(it holds MatMul, Add\)/);
  assert.match(refusal(join(ONNX_DIR, 'gru_unfolded.onnx')), /GRU node '\/GRU' \(layer 0\): input W '[^']+' is computed by a Unsqueeze node; expected an initializer or a Constant \(export with do_constant_folding=True, the default\)/);
});

/** A fixture with its decoded protobuf edited by `edit`, written to a scratch file. */
function edited(file: string, edit: (model: OnnxModel, layer0: OnnxNode, weights: Map<string, OnnxTensor>) => void): string {
  const model = modelType.toObject(modelType.decode(readFileSync(join(ONNX_DIR, file))), { longs: Number }) as OnnxModel;
  const layer0 = model.graph!.node!.find((node) => ['RNN', 'GRU', 'LSTM'].includes(node.op_type!))!;
  const weights = new Map(model.graph!.initializer!.map((tensor) => [tensor.name!, tensor]));
  edit(model, layer0, weights);
  const path = join(scratch, `${Math.random().toString(36).slice(2)}-${file}`);
  writeFileSync(path, modelType.encode(modelType.fromObject(model)).finish());
  return path;
}

const INT = 2;
const STRING = 3;
const FLOAT = 1;
const STRINGS = 8;
const addAttribute = (node: OnnxNode, attribute: OnnxAttribute) => (node.attribute ??= []).push(attribute);
const utf8 = (text: string) => new TextEncoder().encode(text);
const setAttribute = (node: OnnxNode, attribute: OnnxAttribute) => {
  node.attribute = (node.attribute ?? []).filter((a) => a.name !== attribute.name);
  addAttribute(node, attribute);
};

test('attributes and inputs that change what the cell computes are refused by name', () => {
  const cases: [string, (model: OnnxModel, node: OnnxNode) => void, RegExp][] = [
    ['rnn_tanh_l1_bias_h4.onnx', (_, node) => addAttribute(node, { name: 'clip', type: FLOAT, f: 3 }), /RNN node .*: attribute clip is not supported; expected no clip/],
    ['rnn_tanh_l1_bias_h4.onnx', (_, node) => setAttribute(node, { name: 'direction', type: STRING, s: utf8('reverse') }), /attribute direction = 'reverse' is not supported/],
    ['rnn_tanh_l1_bias_h4.onnx', (_, node) => setAttribute(node, { name: 'activations', type: STRINGS, strings: [utf8('Sigmoid')] }), /attribute activations = \['Sigmoid'\] is not supported; expected \['Tanh'\] or \['Relu'\]/],
    ['rnn_tanh_l1_bias_h4.onnx', (_, node) => addAttribute(node, { name: 'activation_alpha', type: 6, floats: [0.1] }), /attribute activation_alpha is not supported/],
    ['lstm_l1_bias_h4.onnx', (_, node) => addAttribute(node, { name: 'activations', type: STRINGS, strings: ['Sigmoid', 'Tanh', 'Relu'].map(utf8) }), /attribute activations = \['Sigmoid', 'Tanh', 'Relu'\] is not supported; expected \['Sigmoid', 'Tanh', 'Tanh'\]/],
    ['lstm_l1_bias_h4.onnx', (_, node) => addAttribute(node, { name: 'input_forget', type: INT, i: 1 }), /attribute input_forget = 1 is not supported/],
    ['lstm_l1_bias_h4.onnx', (_, node) => { node.input = [...node.input!.slice(0, 7), 'peepholes']; }, /input P \(peephole weights\) 'peepholes' is not supported/],
    ['gru_l1_bias_h5.onnx', (_, node) => setAttribute(node, { name: 'linear_before_reset', type: INT, i: 0 }), /attribute linear_before_reset = 0 .* is not supported; expected linear_before_reset = 1, PyTorch's GRU/],
    ['gru_l1_bias_h5.onnx', (_, node) => addAttribute(node, { name: 'frobnicate', type: INT, i: 1 }), /attribute 'frobnicate' is not supported; expected only those of the ONNX GRU operator/],
    ['gru_l1_bias_h5.onnx', (_, node) => setAttribute(node, { name: 'hidden_size', type: INT, i: 6 }), /attribute hidden_size = 6 but R has H = 5/],
    ['rnn_tanh_l2_bias_h3.onnx', (model) => setAttribute(model.graph!.node!.filter((n) => n.op_type === 'RNN')[1], { name: 'activations', type: STRINGS, strings: [utf8('Relu')] }), /RNN node '\/RNN_1' \(layer 1\): is a rnn_relu layer after a rnn_tanh layer; expected every layer to be the same cell/],
  ];
  for (const [file, edit, pattern] of cases) assert.match(refusal(edited(file, edit)), pattern, `${file}: ${pattern}`);
});

test('layout = 1 (batch-first X and Y) reads the same weights', () => {
  const path = edited('lstm_l1_bias_h4.onnx', (_, node) => addAttribute(node, { name: 'layout', type: INT, i: 1 }));
  assert.deepEqual(readModelFile(path).tensors, readModelFile(join(ONNX_DIR, 'lstm_l1_bias_h4.onnx')).tensors);
});

test('weights stored in float_data, double_data or Constant nodes read as the raw_data ones', () => {
  const file = 'gru_l2_bias_h3.onnx';
  const expected = readModelFile(join(ONNX_DIR, file)).tensors;
  const asFloats = (tensor: OnnxTensor) => {
    const raw = tensor.raw_data!;
    return Array.from(new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)));
  };
  const typed = edited(file, (_, __, weights) => {
    for (const tensor of weights.values()) {
      tensor.float_data = asFloats(tensor);
      delete tensor.raw_data;
    }
  });
  assert.deepEqual(readModelFile(typed).tensors, expected);
  const doubles = readModelFile(edited(file, (_, __, weights) => {
    for (const tensor of weights.values()) {
      tensor.double_data = asFloats(tensor);
      tensor.data_type = 11;
      delete tensor.raw_data;
    }
  })).tensors;
  for (const [name, tensor] of expected) assert.deepEqual(doubles.get(name)!.data, tensor.data, name);
  const constants = edited(file, (model) => {
    const graph = model.graph!;
    graph.node = [...graph.initializer!.map((t) => ({ op_type: 'Constant', output: [t.name!], attribute: [{ name: 'value', type: 4, t: { ...t, name: '' } }] })), ...graph.node!];
    graph.initializer = [];
  });
  assert.deepEqual(readModelFile(constants).tensors, expected);
});

test('weights we cannot read are refused naming the tensor', () => {
  const file = 'rnn_relu_l1_bias_h8.onnx';
  const cases: [(model: OnnxModel, node: OnnxNode, weights: Map<string, OnnxTensor>) => void, RegExp][] = [
    [(_, node, weights) => {
      const w = weights.get(node.input![1])!;
      w.external_data = [{ key: 'location', value: 'weights.bin' }];
      w.data_location = 1;
      delete w.raw_data;
    }, /tensor 'onnx::RNN_\d+': is stored as external data in 'weights.bin', which is not supported/],
    [(model, node) => { model.graph!.initializer = model.graph!.initializer!.filter((t) => t.name !== node.input![2]); }, /input R 'onnx::RNN_\d+' is a graph input without a stored value; expected an initializer or a Constant \(export with export_params=True, the default\)/],
    [(_, node, weights) => { weights.get(node.input![1])!.data_type = 7; }, /has data type INT64; expected FLOAT, DOUBLE, FLOAT16 or BFLOAT16 \(input W of RNN node/],
    [(_, node, weights) => { const w = weights.get(node.input![1])!; w.raw_data = w.raw_data!.subarray(4); }, /has 92 bytes of raw_data; 24 F32 values take 96/],
    [(_, node, weights) => { weights.get(node.input![3])!.dims = [1, 8]; }, /tensor 'onnx::RNN_\d+': has 64 bytes of raw_data; 8 F32 values take 32/],
    [(_, node, weights) => {
      const b = weights.get(node.input![3])!;
      b.dims = [1, 8];
      b.raw_data = b.raw_data!.subarray(0, 32);
    }, /input B has shape \[1, 8\]; expected \[1, 2·G·H\] \(Wb then Rb\) \(one direction, G = 1 gates, H = 8\)/],
  ];
  for (const [edit, pattern] of cases) assert.match(refusal(edited(file, edit)), pattern, String(pattern));
});

test('a truncated or corrupted .onnx file is refused in one line naming the file, whatever the cut', () => {
  const bytes = readFileSync(join(ONNX_DIR, 'lstm_l1_bias_h4.onnx'));
  const path = join(scratch, 'cut.onnx');
  const messages = new Set<string>();
  for (let length = 0; length < bytes.length; length += 7) {
    writeFileSync(path, bytes.subarray(0, length));
    messages.add(refusal(path).replace(/\d+/g, 'N'));
  }
  assert.ok([...messages].some((m) => /is not a readable ONNX model \(protobuf: /.test(m)), [...messages].join('\n'));
  writeFileSync(path, 'this is not a protobuf file\n');
  assert.match(refusal(path), /is not a readable ONNX model/);
  // Bytes overwritten at random (a fixed sequence): read, or refused as a ModelFileError of one line.
  let state = 12345;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let trial = 0; trial < 300; trial++) {
    const corrupt = Buffer.from(bytes);
    for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--) corrupt[Math.floor(random() * corrupt.length)] = Math.floor(random() * 256);
    writeFileSync(path, corrupt);
    try {
      loadRnnModel(path);
    } catch (error) {
      assert.ok(error instanceof ModelFileError && error.message.startsWith(`${path}: `) && !error.message.includes('\n'), `trial ${trial}: ${(error as Error).stack}`);
    }
  }
});

test('CLI: spectrum reads an .onnx file as the library reads the safetensors of its weights; a refused one prints one line and exits 2', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: root });
  const file = 'lstm_l2_bias_h3.onnx';
  const ok = cli('spectrum', join(ONNX_DIR, file), '--drive', 'gaussian', '--batch', '3', '--steps', '100', '--transient', '20', '--seed', '4', '--backend', 'js', '--json');
  assert.equal(ok.status, 0, ok.stderr);
  const library = modelSpectrum(loadRnnModel(safetensorsOf(file)), randomDrive('gaussian', 3, 120, 3, 4), { steps: 100, transient: 20, seed: 4, kernels: createKernels('js') });
  assert.deepEqual(JSON.parse(ok.stdout).exponents, library.exponents);
  const refused = cli('spectrum', join(ONNX_DIR, 'lstm_bidirectional.onnx'));
  assert.equal(refused.status, 2);
  assert.equal(refused.stderr, `rnn-lyapunov: ${join(ONNX_DIR, 'lstm_bidirectional.onnx')}: LSTM node '/LSTM' (layer 0): attribute direction = 'bidirectional' is not supported; expected 'forward' (our cells run one direction: export a unidirectional nn.LSTM)\n`);
});
