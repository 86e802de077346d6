import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomModel, type CellKind, type LstmState } from '../src/cells/index.js';
import { Rng } from '../src/linalg/index.js';
import { randomDrive, modelSpectrum } from '../src/model-spectrum/index.js';

// Σ_i λ_i equals the time average of log|det J_t| when k = n. The spectrum side comes from the
// QR iteration on the structured tangent map; the determinant side from an LU of the assembled
// Jacobian: two independent computations.
const cases: [CellKind, LstmState | undefined][] = [
  ['rnn_tanh', undefined], ['gru', undefined], ['lstm', 'joint'], ['lstm', 'h'],
];
for (const [cell, lstmState] of cases) {
  for (const layers of [1, 2]) {
    test(`sum rule: ${cell}${lstmState ? ` (${lstmState})` : ''}, ${layers} layer(s)`, () => {
      const model = randomModel({ cell, inputSize: 3, hiddenSize: 5, numLayers: layers, bias: true }, new Rng(11), 0.9);
      const r = modelSpectrum(model, randomDrive('gaussian', 2, 400, 3, 2), {
        steps: 350, transient: 50, ...(lstmState ? { lstmState } : {}), sumRule: true,
      });
      const sums = r.perSequence.map((row) => row.reduce((s, l) => s + l, 0));
      assert.ok(sums.every(Number.isFinite));
      assert.ok(Math.abs(r.sumRuleResidual!) < 1e-9 * Math.max(1, Math.abs(sums[0]!)), `residual ${r.sumRuleResidual}`);
      for (let i = 1; i < r.exponents.length; i++) assert.ok(r.exponents[i - 1]! >= r.exponents[i]! - 0.05, 'nearly sorted');
    });
  }
}

test('relu RNN: dead units make J singular; the annihilated directions get −∞, consistent with log|det J| = −∞', () => {
  const model = randomModel({ cell: 'rnn_relu', inputSize: 3, hiddenSize: 6, numLayers: 1, bias: true }, new Rng(5), 0.8);
  const r = modelSpectrum(model, randomDrive('gaussian', 2, 300, 3, 3), { steps: 250, transient: 50, sumRule: true });
  assert.equal(r.exponents.at(-1), -Infinity);
  assert.ok(Number.isFinite(r.exponents[0]!), 'leading exponent finite');
  assert.equal(r.sumRuleResidual, 0);
  assert.ok(!r.exponents.some(Number.isNaN) && !r.std.some(Number.isNaN));
});
