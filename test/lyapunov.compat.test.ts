import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRnnModel, readSafetensors, inputSequencesFromTensors } from '../src/io/index.js';
import { modelSpectrum } from '../src/model-spectrum/index.js';

const dir = new URL('./fixtures/torch/', import.meta.url).pathname;

// The fixtures come from an independent float64 re-implementation of the authors' algorithm
// (scripts/make-fixtures.py, docs/compat-vogt2020.md): Jᵀ pushed forward, identity basis,
// h-only LSTM, re-fed warm-up with a single QR, log base 2.
for (const cell of ['lstm', 'gru'] as const) {
  test(`compat vogt2020 reproduces the authors' conventions on a ${cell} fixture`, () => {
    const model = loadRnnModel(`${dir}compat_vogt2020_${cell}.model.safetensors`);
    const expect = readSafetensors(`${dir}compat_vogt2020_${cell}.expect.safetensors`);
    const inputs = inputSequencesFromTensors(expect, 'expect');
    const warmup = Number(expect.tensors.get('warmup')!.data[0]);
    const expected = expect.tensors.get('exponents')!;
    const [batch, k] = expected.shape as [number, number];
    const r = modelSpectrum(model, inputs, { compat: 'vogt2020', steps: inputs.steps, transient: warmup });
    assert.equal(r.units, 'bits/step');
    assert.equal(r.perSequence.length, batch);
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < k; i++) {
        const want = expected.data[b * k + i]!;
        const got = r.perSequence[b]![i]!;
        assert.ok(Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want)), `seq ${b} λ${i + 1}: ${got} vs ${want}`);
      }
    }
    const std = expect.tensors.get('exponents_std')!.data;
    for (let i = 0; i < k; i++) assert.ok(Math.abs(r.std[i]! - std[i]!) < 1e-9, `std ${i}`);
    // Our default conventions give a different finite-T answer on the same data.
    const ours = modelSpectrum(model, inputs, { steps: inputs.steps - warmup, transient: warmup, logBase: 2, lstmState: 'h' });
    assert.ok(Math.abs(ours.exponents[0]! - r.exponents[0]!) > 1e-6);
  });
}

test('compat vogt2020 refuses what the authors\' code cannot compute', () => {
  const model = loadRnnModel(`${dir}compat_vogt2020_lstm.model.safetensors`);
  const inputs = inputSequencesFromTensors(readSafetensors(`${dir}compat_vogt2020_lstm.expect.safetensors`), 'expect');
  assert.throws(() => modelSpectrum(model, inputs, { compat: 'vogt2020', steps: 10, lstmState: 'joint' }), /h only/);
  assert.throws(() => modelSpectrum(model, inputs, { compat: 'vogt2020', steps: 10, qrEvery: 2 }), /qrEvery must be 1/);
  const relu = loadRnnModel(`${dir}rnn_relu_l1_bias_h8.model.safetensors`);
  const reluInputs = { batch: 1, steps: 10, size: relu.inputSize, data: new Float64Array(10 * relu.inputSize) };
  assert.throws(() => modelSpectrum(relu, reluInputs, { compat: 'vogt2020', steps: 10 }), /relu/);
});
