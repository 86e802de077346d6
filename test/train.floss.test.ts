/**
 * Gradient flossing's loss Σ(λ_i − target)² and its gradient (src/train/floss): the gradient
 * against central finite differences of the loss, the exponents against modelSpectrum's, and
 * plain gradient steps lowering the loss.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomModel, type CellKind, type InputSequences, type LstmState, type RnnModel } from '../src/cells/index.js';
import { Rng, referenceKernels } from '../src/linalg/index.js';
import { modelSpectrum } from '../src/model-spectrum/index.js';
import { FlossingError } from '../src/train/errors.js';
import { flossingLoss, type FlossingOptions } from '../src/train/floss/flossing-loss.js';
import { OptionError } from '../src/errors.js';

const KEYS = ['weightIh', 'weightHh', 'biasIh', 'biasHh'] as const;

const CASES: { cell: CellKind; lstmState?: LstmState }[] = [
  { cell: 'rnn_tanh' }, { cell: 'lstm', lstmState: 'joint' }, { cell: 'lstm', lstmState: 'h' }, { cell: 'gru' },
];

function setup(cell: CellKind, layers: number, bias: boolean, hidden: number, scale: number, batch: number, steps: number, seed = 7): { model: RnnModel; inputs: InputSequences } {
  const rng = new Rng(seed);
  const model = randomModel({ cell, inputSize: 2, hiddenSize: hidden, numLayers: layers, bias }, rng, scale);
  return { model, inputs: { batch, steps, size: 2, data: rng.fillNormal(new Float64Array(batch * steps * 2)) } };
}

/** Five-point central difference of the loss in one weight: error O(h⁴) + O(ε/h). */
function finiteDifference(model: RnnModel, inputs: InputSequences, options: FlossingOptions, w: Float64Array, i: number): number {
  const h = 1e-4;
  const v = w[i]!;
  const at = (x: number) => {
    w[i] = x;
    return flossingLoss(model, inputs, options).loss;
  };
  const d = (8 * (at(v + h) - at(v - h)) - (at(v + 2 * h) - at(v - 2 * h))) / (12 * h);
  w[i] = v;
  return d;
}

for (const { cell, lstmState } of CASES) {
  for (const layers of [1, 2]) {
    for (const bias of [true, false]) {
      const name = `${cell}${lstmState ? ` (${lstmState})` : ''}, ${layers} layer(s), ${bias ? 'bias' : 'no bias'}`;
      test(`flossing gradient equals central finite differences of the loss to 1e-6: ${name}`, () => {
        const { model, inputs } = setup(cell, layers, bias, 3, 0.9, 2, 12);
        const options: FlossingOptions = { k: 2, transient: 2, target: 0.1, kernels: referenceKernels, ...(lstmState ? { lstmState } : {}) };
        const exact = flossingLoss(model, inputs, options);
        let largest = 0;
        const pairs: [number, number][] = [];
        model.layers.forEach((weights, l) => {
          for (const key of KEYS) {
            const w = weights[key];
            if (w === undefined) continue;
            for (let i = 0; i < w.length; i++) {
              const fd = finiteDifference(model, inputs, options, w, i);
              pairs.push([exact.grads[l]![key]![i]!, fd]);
              largest = Math.max(largest, Math.abs(fd));
            }
          }
        });
        assert.ok(largest > 1e-3, `the loss depends on the weights (largest derivative ${largest})`);
        for (const [g, fd] of pairs) {
          assert.ok(Math.abs(g - fd) <= 1e-6 * Math.max(Math.abs(fd), 1e-3 * largest), `gradient ${g} against finite difference ${fd}`);
        }
        // The checkpointed run (segments of 3 steps, recomputed) gives the same gradient.
        const segmented = flossingLoss(model, inputs, { ...options, segment: 3 });
        assert.equal(segmented.segment, 3);
        assert.equal(segmented.loss, exact.loss);
        exact.grads.forEach((_, l) => {
          for (const key of KEYS) {
            const g = exact.grads[l]![key];
            if (g === undefined) continue;
            g.forEach((v, i) => assert.ok(Math.abs(segmented.grads[l]![key]![i]! - v) <= 1e-13 * largest));
          }
        });
      });
    }
  }
}

for (const { cell, lstmState } of CASES) {
  test(`the exponents flossing sees are modelSpectrum's to 1e-12: ${cell}${lstmState ? ` (${lstmState})` : ''}`, () => {
    const { model, inputs } = setup(cell, 2, true, 6, 0.5, 3, 60);
    const shared = { k: 4, transient: 10, seed: 5, ...(lstmState ? { lstmState } : {}) };
    const floss = flossingLoss(model, inputs, { ...shared, target: -0.2 });
    const spectrum = modelSpectrum(model, inputs, { ...shared, steps: 50 });
    spectrum.exponents.forEach((lambda, i) => {
      const mine = floss.exponents[spectrum.columnOrder[i]!]!;
      assert.ok(Math.abs(mine - lambda) <= 1e-12, `λ_${i + 1}: ${mine} against modelSpectrum's ${lambda}`);
    });
    const loss = floss.exponents.reduce((s, l) => s + (l + 0.2) ** 2, 0);
    assert.ok(Math.abs(floss.loss - loss) <= 1e-15 * (1 + loss));
  });
}

for (const cell of ['rnn_tanh', 'lstm', 'gru'] as const) {
  test(`clipped gradient steps on the flossing loss bring λ₁ … λ₃ toward 0 from far below: ${cell}`, () => {
    const { model, inputs } = setup(cell, 1, true, 8, 0.15, 2, 40, 11);
    const options = { k: 3, transient: 10 };
    const first = flossingLoss(model, inputs, options);
    assert.ok(first.exponents[0]! < -0.5, `λ₁ starts far below 0: ${first.exponents[0]}`);
    let last = first;
    for (let step = 0; step < 10; step++) {
      // Steps of length at most 0.2 (the gradient clipped to norm 1, as training clips it).
      const norm = Math.sqrt(last.grads.reduce((s, g) => s + KEYS.reduce((t, key) => t + (g[key]?.reduce((u, v) => u + v * v, 0) ?? 0), 0), 0));
      const rate = 0.2 / Math.max(1, norm);
      model.layers.forEach((w, l) => {
        for (const key of KEYS) w[key]?.forEach((v, i, a) => { a[i] = v - rate * last.grads[l]![key]![i]!; });
      });
      last = flossingLoss(model, inputs, options);
    }
    assert.ok(last.loss < 0.5 * first.loss, `loss ${first.loss} → ${last.loss}`);
    assert.ok(Math.max(...last.exponents) > Math.max(...first.exponents));
  });
}

test('flossing refuses what it cannot do with a message naming the option', () => {
  const { model, inputs } = setup('lstm', 2, true, 4, 0.5, 2, 20);
  assert.throws(() => flossingLoss(model, inputs, { k: 17 }), (e: Error) => e instanceof OptionError && /k must be an integer in \[1, 16\]/.test(e.message));
  assert.throws(() => flossingLoss(model, inputs, { k: 2, steps: 20, transient: 1 }), OptionError);
  assert.throws(
    () => flossingLoss(model, inputs, { k: 2, memoryLimit: 10_000 }),
    (e: Error) => e instanceof FlossingError && /over memoryLimit/.test(e.message),
  );
  // A bound that holds a few steps but not all of them is met by recomputing segments.
  const whole = flossingLoss(model, inputs, { k: 2 });
  const bounded = flossingLoss(model, inputs, { k: 2, memoryLimit: whole.memoryBytes / 3 });
  assert.ok(bounded.segment < 20 && bounded.memoryBytes <= whole.memoryBytes / 3);
  assert.equal(bounded.loss, whole.loss);
  const relu = setup('rnn_relu', 1, false, 4, 0.01, 1, 5);
  relu.model.layers[0]!.weightIh.fill(-1);
  relu.inputs.data.fill(1);
  assert.throws(() => flossingLoss(relu.model, relu.inputs, { k: 2 }), (e: Error) => e instanceof FlossingError && /annihilated/.test(e.message));
});
