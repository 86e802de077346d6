import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CELL_KINDS, type CellKind, type RnnModel } from '../src/cells/index.js';
import { Rng } from '../src/linalg/index.js';
import {
  encodeSafetensors, loadRnnModel, ModelFileError, parseSafetensors, readSafetensors, rnnModelFromTensors, saveRnnModel, type LoadRnnOptions, type TensorInput,
} from '../src/io/index.js';

const GATES: Record<CellKind, number> = { rnn_tanh: 1, rnn_relu: 1, lstm: 4, gru: 3 };

interface Config {
  cell: CellKind;
  layers: number;
  hidden: number;
  input: number;
  bias: boolean;
  prefix?: string;
}

/** A PyTorch-shaped state dict with random values, built from the documented layout. */
function stateDict(config: Config, seed = 1): Record<string, TensorInput> {
  const rng = new Rng(seed);
  const rows = GATES[config.cell] * config.hidden;
  const random = (shape: number[]) => ({ shape, data: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.range(-1, 1)) });
  const state: Record<string, TensorInput> = {};
  const p = config.prefix ?? '';
  for (let k = 0; k < config.layers; k++) {
    state[`${p}weight_ih_l${k}`] = random([rows, k === 0 ? config.input : config.hidden]);
    state[`${p}weight_hh_l${k}`] = random([rows, config.hidden]);
    if (config.bias) {
      state[`${p}bias_ih_l${k}`] = random([rows]);
      state[`${p}bias_hh_l${k}`] = random([rows]);
    }
  }
  return state;
}

function load(state: Record<string, TensorInput>, options?: LoadRnnOptions, metadata?: Record<string, string>): RnnModel {
  return rnnModelFromTensors(parseSafetensors(encodeSafetensors(state, metadata), 'm.safetensors'), 'm.safetensors', options);
}

function assertLoadFails(
  state: Record<string, TensorInput>,
  message: RegExp,
  options?: LoadRnnOptions,
  metadata?: Record<string, string>,
): void {
  assert.throws(
    () => load(state, options, metadata),
    (error: unknown) => {
      assert.ok(error instanceof ModelFileError, `expected ModelFileError, got ${error}`);
      assert.equal(error.file, 'm.safetensors');
      assert.ok(error.message.startsWith('m.safetensors: '), error.message);
      assert.match(error.message, message);
      return true;
    },
  );
}

test('infers the configuration of every cell kind, depth, bias and prefix', () => {
  for (const cell of CELL_KINDS) {
    for (const layers of [1, 2, 3]) {
      for (const bias of [true, false]) {
        for (const prefix of ['', 'rnn.', 'model.encoder.']) {
          const config = { cell, layers, hidden: 3 + layers, input: 2 + (bias ? 1 : 0), bias, prefix };
          const state = stateDict(config, layers);
          // A readout and other unrelated tensors must be ignored.
          state['readout.weight'] = { shape: [2, config.hidden], data: new Array(2 * config.hidden).fill(0) };
          state['step'] = { dtype: 'I64', shape: [], data: [100] };
          const model = load(state, cell.startsWith('rnn') ? { cell } : {});
          assert.deepEqual(
            { cell: model.cell, numLayers: model.numLayers, hiddenSize: model.hiddenSize, inputSize: model.inputSize, bias: model.bias },
            { cell, numLayers: layers, hiddenSize: config.hidden, inputSize: config.input, bias },
          );
          assert.equal(model.layers.length, layers);
          model.layers.forEach((weights, k) => {
            assert.deepEqual(weights.weightIh, Float64Array.from(state[`${prefix}weight_ih_l${k}`].data));
            assert.deepEqual(weights.weightHh, Float64Array.from(state[`${prefix}weight_hh_l${k}`].data));
            if (bias) {
              assert.deepEqual(weights.biasIh, Float64Array.from(state[`${prefix}bias_ih_l${k}`].data));
              assert.deepEqual(weights.biasHh, Float64Array.from(state[`${prefix}bias_hh_l${k}`].data));
            } else {
              assert.equal(weights.biasIh, undefined);
              assert.equal(weights.biasHh, undefined);
            }
          });
        }
      }
    }
  }
});

test('vanilla RNN nonlinearity comes from the option, else __metadata__.cell, else an error asking for --cell', () => {
  const state = stateDict({ cell: 'rnn_tanh', layers: 1, hidden: 4, input: 2, bias: true });
  assert.equal(load(state, { cell: 'rnn_relu' }).cell, 'rnn_relu');
  assert.equal(load(state, {}, { cell: 'rnn_relu' }).cell, 'rnn_relu');
  assert.equal(load(state, {}, { cell: 'RNN_TANH' }).cell, 'rnn_tanh');
  assert.equal(load(state, { cell: 'rnn_tanh' }, { cell: 'rnn_relu' }).cell, 'rnn_tanh');
  assertLoadFails(
    state,
    /'weight_hh_l0' has shape \[4, 4\], a single gate: a vanilla RNN whose nonlinearity the weights do not tell; pass --cell rnn_tanh or --cell rnn_relu/,
  );
});

test('a cell kind that disagrees with the gate count is refused, naming both', () => {
  const gru = stateDict({ cell: 'gru', layers: 1, hidden: 5, input: 2, bias: false });
  assertLoadFails(gru, /--cell lstm expects 4 gates but 'weight_hh_l0' has shape \[15, 5\], i\.e\. G = 3 \(gru\)/, { cell: 'lstm' });
  assertLoadFails(gru, /--cell rnn_tanh expects 1 gate but .* G = 3 \(gru\)/, { cell: 'rnn_tanh' });
  assertLoadFails(gru, /__metadata__ cell lstm expects 4 gates but/, {}, { cell: 'lstm' });
  assertLoadFails(gru, /--cell 'transformer' is not one of rnn_tanh, rnn_relu, lstm, gru/, { cell: 'transformer' as CellKind });
  assertLoadFails(gru, /__metadata__ cell 'mlp' is not one of/, {}, { cell: 'mlp' });
  const rnn = stateDict({ cell: 'rnn_relu', layers: 1, hidden: 3, input: 2, bias: false });
  assertLoadFails(rnn, /--cell gru expects 3 gates but 'weight_hh_l0' has shape \[3, 3\], i\.e\. G = 1 \(rnn_tanh or rnn_relu\)/, { cell: 'gru' });
});

test('missing tensors are named with their layer', () => {
  const state = stateDict({ cell: 'lstm', layers: 2, hidden: 3, input: 2, bias: true, prefix: 'lstm.' });
  const without = (name: string) => Object.fromEntries(Object.entries(state).filter(([key]) => key !== name));
  assertLoadFails(without('lstm.weight_ih_l1'), /missing tensor 'lstm\.weight_ih_l1' for layer 1$/);
  assertLoadFails(without('lstm.weight_hh_l1'), /missing tensor 'lstm\.weight_hh_l1' for layer 1$/);
  assertLoadFails(without('lstm.weight_hh_l0'), /missing tensor 'lstm\.weight_hh_l0' for layer 0$/);
  assertLoadFails(without('lstm.bias_hh_l0'), /missing tensor 'lstm\.bias_hh_l0' for layer 0 \('lstm\.bias_ih_l0' is present\)/);
  const gap = stateDict({ cell: 'gru', layers: 3, hidden: 3, input: 2, bias: false });
  delete gap['weight_ih_l1'];
  delete gap['weight_hh_l1'];
  assertLoadFails(gap, /missing tensor 'weight_ih_l1' for layer 1/);
});

test('shapes that do not fit [G·H, H], [G·H, I] and [G·H] are refused with expected and actual', () => {
  const base = { cell: 'lstm' as const, layers: 2, hidden: 3, input: 2, bias: true };
  const withTensor = (name: string, shape: number[]) => ({ ...stateDict(base), [name]: { shape, data: new Array(shape.reduce((a, b) => a * b, 1)).fill(0) } });
  assertLoadFails(withTensor('weight_hh_l0', [10, 3]), /tensor 'weight_hh_l0': has shape \[10, 3\]; expected \[G·H, H\] with G = 1 \(RNN\), 3 \(GRU\) or 4 \(LSTM\)/);
  assertLoadFails(withTensor('weight_hh_l0', [6, 3]), /tensor 'weight_hh_l0': has shape \[6, 3\]; expected \[G·H, H\]/);
  assertLoadFails(withTensor('weight_hh_l0', [12]), /tensor 'weight_hh_l0': has shape \[12\]; expected \[G·H, H\]/);
  assertLoadFails(withTensor('weight_ih_l0', [8, 2]), /tensor 'weight_ih_l0': has shape \[8, 2\]; expected \[12, I\] \(G·H = 4·3, input size I ≥ 1\)/);
  assertLoadFails(withTensor('weight_ih_l1', [12, 2]), /tensor 'weight_ih_l1': has shape \[12, 2\]; expected \[12, 3\] for layer 1 of the lstm \(H = 3, G = 4\)/);
  assertLoadFails(withTensor('weight_hh_l1', [12, 4]), /tensor 'weight_hh_l1': has shape \[12, 4\]; expected \[12, 3\] for layer 1/);
  assertLoadFails(withTensor('bias_ih_l0', [3]), /tensor 'bias_ih_l0': has shape \[3\]; expected \[12\] for layer 0/);
  assertLoadFails(withTensor('bias_hh_l1', [12, 1]), /tensor 'bias_hh_l1': has shape \[12, 1\]; expected \[12\]/);
});

test('bidirectional and projected LSTM weights are not supported', () => {
  const state = stateDict({ cell: 'lstm', layers: 1, hidden: 3, input: 2, bias: false });
  assertLoadFails(
    { ...state, weight_ih_l0_reverse: state['weight_ih_l0'], weight_hh_l0_reverse: state['weight_hh_l0'] },
    /tensor 'weight_(ih|hh)_l0_reverse': bidirectional RNN weights \(the _reverse parameters\) are not supported/,
  );
  assertLoadFails(
    { ...state, weight_hr_l0: { shape: [2, 3], data: [0, 0, 0, 0, 0, 0] } },
    /tensor 'weight_hr_l0': LSTM projections \(proj_size > 0, the weight_hr parameters\) are not supported/,
  );
});

test('NaN and infinite weights are refused, naming the tensor and the first bad element', () => {
  const state = stateDict({ cell: 'gru', layers: 2, hidden: 2, input: 3, bias: true });
  const poisoned = (name: string, index: number, value: number) => {
    const data = Array.from(state[name].data);
    data[index] = value;
    data[data.length - 1] = NaN; // a later bad value must not be the one reported
    return { ...state, [name]: { ...state[name], data } };
  };
  assertLoadFails(poisoned('weight_hh_l1', 3, NaN), /tensor 'weight_hh_l1': holds NaN at index 3 \(element \[1, 1\]\); expected finite values/);
  assertLoadFails(poisoned('weight_ih_l0', 7, -Infinity), /tensor 'weight_ih_l0': holds -Infinity at index 7 \(element \[2, 1\]\)/);
  assertLoadFails(poisoned('bias_hh_l0', 0, Infinity), /tensor 'bias_hh_l0': holds Infinity at index 0 \(element \[0\]\)/);
});

test('biases present in some layers only are refused', () => {
  const state = stateDict({ cell: 'rnn_tanh', layers: 3, hidden: 2, input: 2, bias: true });
  delete state['bias_ih_l2'];
  delete state['bias_hh_l2'];
  assertLoadFails(state, /layer 0 has biases but layer 2 has none; expected biases in every layer or in none/, { cell: 'rnn_tanh' });
  const late = stateDict({ cell: 'rnn_tanh', layers: 2, hidden: 2, input: 2, bias: false });
  late['bias_ih_l1'] = { shape: [2], data: [0, 0] };
  late['bias_hh_l1'] = { shape: [2], data: [0, 0] };
  assertLoadFails(late, /layer 0 has no biases but layer 1 has; expected/, { cell: 'rnn_tanh' });
});

test('files without RNN weights, with several sets, or with integer weights are refused', () => {
  assertLoadFails({ 'fc.weight': { shape: [1], data: [1] } }, /no RNN weights found: expected PyTorch state-dict names weight_ih_l0, weight_hh_l0, .*the file holds 'fc\.weight'/);
  const two = {
    ...stateDict({ cell: 'gru', layers: 1, hidden: 2, input: 2, bias: false, prefix: 'encoder.' }),
    ...stateDict({ cell: 'lstm', layers: 1, hidden: 3, input: 2, bias: false, prefix: 'decoder.' }),
  };
  assertLoadFails(two, /several sets of RNN weights, under prefixes '(encoder|decoder)\.', '(encoder|decoder)\.'; choose one with --prefix \(e\.g\. --prefix (encoder|decoder)\.\)$/);
  assert.equal(load(two, { prefix: 'decoder.' }).cell, 'lstm');
  assert.equal(load(two, { prefix: 'encoder.' }).hiddenSize, 2);
  assert.equal(load(two, { prefix: 'encoder' }).hiddenSize, 2, 'the trailing dot may be left out');
  assertLoadFails(two, /no RNN weights under prefix 'lstm\.' \(--prefix\); the file has RNN weights under prefixes '(encoder|decoder)\.', '(encoder|decoder)\.'$/, { prefix: 'lstm.' });
  const state = stateDict({ cell: 'lstm', layers: 1, hidden: 1, input: 1, bias: false });
  assertLoadFails({ ...state, weight_ih_l0: { dtype: 'I32', shape: [4, 1], data: [1, 2, 3, 4] } }, /tensor 'weight_ih_l0': has dtype I32; expected a floating-point dtype/);
});

test('F32, F16 and BF16 weights load widened to float64', () => {
  for (const dtype of ['F32', 'F16', 'BF16'] as const) {
    const model = load({
      weight_ih_l0: { dtype, shape: [3, 1], data: [0.5, -1, 2] },
      weight_hh_l0: { dtype, shape: [3, 1], data: [0.25, 1.5, -0.125] },
    });
    assert.equal(model.cell, 'gru');
    assert.deepEqual(model.layers[0].weightHh, new Float64Array([0.25, 1.5, -0.125]));
  }
});

test('saveRnnModel writes PyTorch names that load back; F32 by default, F64 on request', () => {
  const dir = mkdtempSync(join(tmpdir(), 'io-torch-rnn-'));
  try {
    for (const cell of CELL_KINDS) {
      const original = load(stateDict({ cell, layers: 2, hidden: 3, input: 4, bias: cell !== 'gru' }, 9), { cell });
      const path = join(dir, `${cell}.safetensors`);
      saveRnnModel(path, original, { 'readout.weight': { shape: [1, 3], data: [1, 2, 3] } }, { epoch: '4' });
      const { tensors, metadata } = readSafetensors(path);
      assert.deepEqual(metadata, { epoch: '4', cell });
      assert.equal(tensors.get('weight_hh_l1')!.dtype, 'F32');
      assert.deepEqual(tensors.get('readout.weight')!.data, new Float64Array([1, 2, 3]));
      // Metadata carries the cell, so even vanilla RNNs load without an option.
      const single = loadRnnModel(path);
      assert.equal(single.cell, cell);
      assert.deepEqual(single.layers[1].weightIh, original.layers[1].weightIh.map(Math.fround));
      assert.deepEqual(single.layers[0].biasHh, original.layers[0].biasHh?.map(Math.fround));

      saveRnnModel(path, original, {}, {}, { dtype: 'F64', prefix: 'rnn.' });
      assert.deepEqual(loadRnnModel(path), original);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('saveRnnModel refuses inconsistent models and clashing names', () => {
  const model = load(stateDict({ cell: 'lstm', layers: 2, hidden: 2, input: 3, bias: true }));
  const path = join(tmpdir(), 'never-written.safetensors');
  const fails = (action: () => void, message: RegExp) =>
    assert.throws(action, (error: unknown) => error instanceof ModelFileError && error.file === path && message.test(error.message));
  fails(() => saveRnnModel(path, model, { weight_hh_l0: { shape: [1], data: [0] } }), /tensor 'weight_hh_l0': extra tensor has the name of a model parameter/);
  fails(() => saveRnnModel(path, model, {}, { cell: 'gru' }), /metadata cell 'gru' contradicts the model's cell 'lstm'/);
  fails(() => saveRnnModel(path, { ...model, numLayers: 3 }), /model has numLayers 3 but 2 layers of weights/);
  fails(() => saveRnnModel(path, { ...model, hiddenSize: 3 }), /tensor 'weight_ih_l0': has 24 values; shape \[12, 3\] of layer 0 needs 36/);
  const noBias = { ...model, layers: model.layers.map(({ weightIh, weightHh }) => ({ weightIh, weightHh })) };
  fails(() => saveRnnModel(path, noBias), /tensor 'bias_ih_l0': missing from layer 0 of a model with bias/);
  const poisoned = structuredClone(model);
  poisoned.layers[1].weightHh[5] = NaN;
  fails(() => saveRnnModel(path, poisoned), /tensor 'weight_hh_l1': holds NaN at index 5 \(element \[2, 1\]\)/);
});
