import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OptionError } from '../src/errors.js';
import { createKernels, Rng } from '../src/linalg/index.js';
import { randomModel } from '../src/cells/index.js';
import { modelSpectrum } from '../src/model-spectrum/index.js';
import { CELL_CONFIGS, configName } from './cells.helpers.js';

// The QR iteration with the basis kept as reflectors (SpectrumOptions.basis) computes the same
// exponents as with Q formed: every exponent to 1e-10, on every cell that forms its Jacobian, with
// both kernels; and 'auto' takes it exactly where it saves flops.

const HIDDEN = 7;
const INPUT = 3;

function setup(c: (typeof CELL_CONFIGS)[number], seed: number, batch = 2, steps = 60) {
  const rng = new Rng(seed);
  const model = randomModel({ cell: c.cell, inputSize: INPUT, hiddenSize: HIDDEN, numLayers: c.layers, bias: c.bias }, rng, 0.9);
  const data = rng.fillNormal(new Float64Array(batch * steps * INPUT));
  return { model, inputs: { batch, steps, size: INPUT, data } };
}

const ONE_LAYER_H = CELL_CONFIGS.filter((c) => c.layers === 1 && c.lstmState !== 'joint');

for (const kernels of [createKernels('js'), createKernels('wasm')]) {
  for (const c of ONE_LAYER_H) {
    test(`${kernels.name}: basis as reflectors equals the explicit basis to 1e-10 per exponent (k = n and n − 1): ${configName(c)}`, () => {
      const { model, inputs } = setup(c, 91 + ONE_LAYER_H.indexOf(c));
      for (const k of [HIDDEN, HIDDEN - 1]) {
        const options = { steps: 50, transient: 10, k, kernels, ...(c.lstmState ? { lstmState: c.lstmState } : {}) };
        const explicit = modelSpectrum(model, inputs, { ...options, basis: 'explicit' });
        const reflectors = modelSpectrum(model, inputs, { ...options, basis: 'reflectors' });
        assert.equal(explicit.options.basis, 'explicit');
        assert.equal(reflectors.options.basis, 'reflectors');
        assert.equal(reflectors.qrCount, explicit.qrCount);
        explicit.perSequence.forEach((row, b) => row.forEach((want, i) => {
          const got = reflectors.perSequence[b]![i]!;
          if (want === -Infinity) assert.equal(got, -Infinity, `k=${k} trajectory ${b} λ${i + 1}: ${got} vs −∞`);
          else assert.ok(Math.abs(got - want) <= 1e-10, `k=${k} trajectory ${b} λ${i + 1}: reflectors ${got} vs explicit ${want}`);
        }));
      }
    });
  }
}

test("'auto' keeps the basis as reflectors for one-layer h-state cells at k ≥ 0.9·n, qrEvery 1, and forms Q otherwise", () => {
  const at = (cell: (typeof CELL_CONFIGS)[number], extra: Record<string, unknown>) => {
    const { model, inputs } = setup(cell, 5);
    return modelSpectrum(model, inputs, { steps: 8, ...(cell.lstmState ? { lstmState: cell.lstmState } : {}), ...extra }).options.basis;
  };
  for (const c of ONE_LAYER_H) assert.equal(at(c, {}), 'reflectors', configName(c));
  const gru = { cell: 'gru', layers: 1, bias: true } as const;
  assert.equal(at(gru, { k: HIDDEN - 1 }), 'explicit', 'k = 6 of 7 < 0.9·n');
  assert.equal(at(gru, { qrEvery: 2 }), 'explicit', 'qrEvery 2');
  assert.equal(at({ ...gru, layers: 2 }, {}), 'explicit', 'two layers');
  assert.equal(at({ cell: 'lstm', layers: 1, bias: true, lstmState: 'joint' }, {}), 'explicit', 'joint LSTM');
  assert.equal(at({ cell: 'lstm', layers: 1, bias: true, lstmState: 'h' }, { compat: 'vogt2020' }), 'explicit', 'compat');
});

test("basis 'reflectors' where the system cannot form its Jacobian, and an unknown basis, are OptionErrors", () => {
  const { model, inputs } = setup({ cell: 'lstm', layers: 1, bias: true, lstmState: 'joint' }, 6);
  const optionError = (pattern: RegExp) => (e: unknown) => e instanceof OptionError && pattern.test(e.message);
  assert.throws(() => modelSpectrum(model, inputs, { steps: 5, basis: 'reflectors' }), optionError(/basis 'reflectors' needs a system that forms its dense Jacobian/));
  assert.throws(() => modelSpectrum(model, inputs, { steps: 5, basis: 'implicit' as never }), optionError(/basis is 'implicit', expected one of 'auto', 'explicit', 'reflectors'/));
});
