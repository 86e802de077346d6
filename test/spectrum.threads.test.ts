import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/linalg/index.js';
import { randomModel, type CellKind, type InputSequences } from '../src/cells/index.js';
import { SpectrumError } from '../src/lyapunov/index.js';
import { modelSpectrum, modelSpectrumThreaded, SpectrumInputError } from '../src/model-spectrum/index.js';

function problem(cell: CellKind, hidden: number, batch: number, steps: number, scale = 0.5) {
  const rng = new Rng(7);
  const model = randomModel({ cell, inputSize: 3, hiddenSize: hidden, numLayers: 2, bias: true }, rng, scale);
  const inputs: InputSequences = { batch, steps, size: 3, data: rng.fillNormal(new Float64Array(batch * steps * 3)) };
  return { model, inputs };
}

for (const backend of ['wasm', 'js'] as const) {
  test(`${backend}: 2 and 3 threads give bit-identical results to 1 thread (uneven split of 5 sequences)`, async () => {
    for (const cell of ['lstm', 'gru', 'rnn_tanh'] as const) {
      const { model, inputs } = problem(cell, 6, 5, 40);
      const options = { steps: 30, transient: 10, backend, tracePoints: 7 };
      const one = await modelSpectrumThreaded(model, inputs, { ...options, threads: 1 });
      for (const threads of [2, 3]) {
        const many = await modelSpectrumThreaded(model, inputs, { ...options, threads });
        assert.equal(many.options.threads, threads);
        assert.deepEqual(many.perSequence, one.perSequence, `${cell}, ${threads} threads: per-sequence exponents`);
        assert.deepEqual(many.exponents, one.exponents);
        assert.deepEqual(many.stderr, one.stderr);
        assert.deepEqual(many.trace, one.trace);
        assert.equal(many.sumRuleResidual, one.sumRuleResidual);
        assert.equal(many.qrCount, one.qrCount);
        assert.equal(many.options.batch, 5);
      }
      // Different sequences really give different exponents: the split could not hide a mix-up.
      assert.notDeepEqual(one.perSequence[0], one.perSequence[4]);
    }
  });
}

test('modelSpectrum with its default kernels gives the bits of modelSpectrumThreaded (default wasm) at 1 and 2 threads', async () => {
  for (const cell of ['lstm', 'gru'] as const) {
    const { model, inputs } = problem(cell, 6, 4, 60);
    const options = { steps: 50, transient: 10, tracePoints: 5 };
    const plain = modelSpectrum(model, inputs, options);
    assert.equal(plain.options.backend, 'wasm');
    for (const threads of [1, 2]) {
      const threaded = await modelSpectrumThreaded(model, inputs, { ...options, threads });
      assert.deepEqual(plain.exponents, threaded.exponents, `${cell}, ${threads} threads`);
      assert.deepEqual(plain.perSequence, threaded.perSequence);
      assert.deepEqual(plain.trace, threaded.trace);
      assert.equal(plain.sumRuleResidual, threaded.sumRuleResidual);
    }
  }
});

test('threads: at most one per sequence, and a clear error for a bad count', async () => {
  const { model, inputs } = problem('gru', 4, 2, 20);
  const result = await modelSpectrumThreaded(model, inputs, { steps: 10, threads: 8 });
  assert.equal(result.options.threads, 2);
  await assert.rejects(modelSpectrumThreaded(model, inputs, { steps: 10, threads: 0 }), /threads must be an integer ≥ 1, got 0/);
});

test('an error inside a worker reaches the caller with its class and the trajectory index of the whole batch', async () => {
  const { model, inputs } = problem('rnn_tanh', 4, 4, 20);
  await assert.rejects(modelSpectrumThreaded(model, inputs, { steps: 30, threads: 2 }), (error: Error) =>
    error instanceof SpectrumInputError && /fewer than transient \+ steps/.test(error.message));
  // A linear (identity-activation-free) blow-up: relu with large weights diverges to Infinity.
  const rng = new Rng(3);
  const wild = randomModel({ cell: 'rnn_relu', inputSize: 3, hiddenSize: 4, numLayers: 1, bias: false }, rng, 1);
  for (const w of wild.layers) w.weightHh.fill(1e3);
  const drive: InputSequences = { batch: 4, steps: 400, size: 3, data: new Float64Array(4 * 400 * 3) };
  drive.data.fill(1, 3 * 400 * 3); // only trajectory 3 is driven away from the fixed point 0
  await assert.rejects(modelSpectrumThreaded(wild, drive, { steps: 390, threads: 2 }), (error: Error) =>
    error instanceof SpectrumError && /trajectory 3\b/.test(error.message));
});
