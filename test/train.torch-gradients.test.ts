/**
 * Loss and every parameter gradient against PyTorch autograd (fixtures from
 * scripts/make-fixtures.py): nn.RNN/LSTM/GRU + nn.Linear readout, cross-entropy mean over
 * B·T and F.mse_loss over all elements, in float64.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadRnnModel, readSafetensors, type Tensor } from '../src/io/index.js';
import { BpttEngine, type Targets, fromRnnModel, tensorByName, tensorView } from '../src/train/index.js';

const DIR = join(import.meta.dirname, 'fixtures', 'torch');
const TOLERANCE = 1e-4;
const fixtures = readdirSync(DIR)
  .filter((f) => /^(rnn_tanh|rnn_relu|lstm|gru)_l\d_(bias|nobias)_h\d+\.model\.safetensors$/.test(f))
  .map((f) => f.replace('.model.safetensors', ''));

test('every cell × layers × bias configuration has a PyTorch gradient fixture', () => {
  for (const cell of ['rnn_tanh', 'rnn_relu', 'lstm', 'gru']) {
    for (const config of ['l1_bias', 'l1_nobias', 'l2_bias', 'l2_nobias']) {
      assert.ok(fixtures.some((f) => f.startsWith(`${cell}_${config}_`)), `no fixture for ${cell}_${config}`);
    }
  }
});

function closeRelative(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const err = Math.abs(actual[i]! - e);
    // Relative per entry, with a floor at 1e-3 of the tensor's largest entry for entries near 0.
    assert.ok(err <= TOLERANCE * Math.max(Math.abs(e), 1e-3 * scale), `${what}[${i}]: got ${actual[i]}, PyTorch ${e}`);
  }
}

for (const name of fixtures) {
  test(`BPTT loss and gradients match PyTorch autograd: ${name}`, () => {
    const model = loadRnnModel(join(DIR, `${name}.model.safetensors`));
    const expect = readSafetensors(join(DIR, `${name}.expect.safetensors`)).tensors;
    const get = (key: string): Tensor => expect.get(key) ?? assert.fail(`${name}: fixture lacks ${key}`);
    const readout = { weight: Float64Array.from(get('readout.weight').data), bias: Float64Array.from(get('readout.bias').data) };
    const params = fromRnnModel(model, readout, 'float64');
    const engine = new BpttEngine(params.spec, 'float64');
    const [batch, steps] = get('inputs').shape as [number, number, number];
    const inputs = { kind: 'dense' as const, data: get('inputs').data };
    const losses: [Targets, string, string][] = [
      [{ loss: 'cross-entropy', at: 'every-step', classes: Int32Array.from(get('targets').data) }, 'loss', 'grad.'],
      [{ loss: 'mse', at: 'every-step', values: get('mse_targets').data }, 'loss_mse', 'grad_mse.'],
    ];
    for (const [targets, lossKey, gradPrefix] of losses) {
      const grad = new Float64Array(params.values.length);
      const result = engine.gradient(params.values, grad, { batch, steps, inputs, targets });
      closeRelative([result.loss], get(lossKey).data, `${name} ${lossKey}`);
      let checked = 0;
      for (const [key, tensor] of expect) {
        if (!key.startsWith(gradPrefix)) continue;
        const param = tensorByName(params.layout, key.slice(gradPrefix.length));
        closeRelative(tensorView(grad, param), tensor.data, `${name} ${key}`);
        checked++;
      }
      assert.equal(checked, params.layout.tensors.length, `${name}: a gradient for every parameter`);
    }
  });
}
