import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/linalg/index.js';
import { createCellSystem, randomModel, type CellKind, type LayerWeights, type RnnModel } from '../src/cells/index.js';

const sig = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * One unit per layer and one input feature: the cell equations of method.md §3 written out as
 * scalars, an oracle independent of the block code. Returns the new [h, c] of one layer.
 */
function scalarCell(cell: CellKind, w: LayerWeights, x: number, h: number, c: number): [number, number] {
  const bi = (g: number) => w.biasIh?.[g] ?? 0;
  const bh = (g: number) => w.biasHh?.[g] ?? 0;
  const pre = (g: number) => w.weightIh[g]! * x + bi(g) + w.weightHh[g]! * h + bh(g);
  switch (cell) {
    case 'rnn_tanh': return [Math.tanh(pre(0)), 0];
    case 'rnn_relu': return [Math.max(0, pre(0)), 0];
    case 'gru': {
      const r = sig(pre(0));
      const z = sig(pre(1));
      const n = Math.tanh(w.weightIh[2]! * x + bi(2) + r * (w.weightHh[2]! * h + bh(2)));
      return [(1 - z) * n + z * h, 0];
    }
    case 'lstm': {
      const cNew = sig(pre(1)) * c + sig(pre(0)) * Math.tanh(pre(2));
      return [sig(pre(3)) * Math.tanh(cNew), cNew];
    }
  }
}

function scalarModel(cell: CellKind, bias: boolean, seed: number): RnnModel {
  return randomModel({ cell, inputSize: 1, hiddenSize: 1, numLayers: 2, bias }, new Rng(seed), 1.5);
}

for (const cell of ['rnn_tanh', 'rnn_relu', 'gru', 'lstm'] as const) {
  for (const bias of [true, false]) {
    test(`${cell} ${bias ? 'bias' : 'nobias'}: two stacked one-unit layers follow the scalar equations`, () => {
      const model = scalarModel(cell, bias, 3);
      const xs = [0.7, -1.2, 0.4, 2.0];
      const inputs = { batch: 1, steps: xs.length, size: 1, data: Float64Array.from(xs) };
      const system = createCellSystem(model, inputs);
      const lstm = cell === 'lstm';
      // Joint LSTM layout [h0, c0, h1, c1]; otherwise [h0, h1].
      const init = lstm ? Float64Array.of(0.3, -0.5, -0.2, 0.8) : Float64Array.of(0.3, 0.6);
      system.reset(init);
      let [h0, c0, h1, c1] = lstm ? Array.from(init) : [init[0]!, 0, init[1]!, 0];
      xs.forEach((x, t) => {
        [h0, c0] = scalarCell(cell, model.layers[0]!, x, h0!, c0!);
        [h1, c1] = scalarCell(cell, model.layers[1]!, h0, h1!, c1!);
        system.step(t);
        const want = lstm ? [h0, c0, h1, c1] : [h0, h1];
        want.forEach((v, i) => assert.ok(Math.abs(system.state[i]! - v!) <= 1e-15, `t=${t} state[${i}]: ${system.state[i]} vs ${v}`));
        assert.deepEqual(system.output(), Float64Array.of(system.state[lstm ? 2 : 1]!), 'output() is the top layer h');
      });
    });
  }
}

test("LSTM 'h' mode runs the same trajectory as 'joint', keeping c outside the state", () => {
  const rng = new Rng(9);
  const model = randomModel({ cell: 'lstm', inputSize: 2, hiddenSize: 3, numLayers: 2, bias: true }, rng, 0.8);
  const inputs = { batch: 2, steps: 5, size: 2, data: Float64Array.from({ length: 20 }, () => rng.range(-1, 1)) };
  const joint = createCellSystem(model, inputs);
  const hOnly = createCellSystem(model, inputs, { lstmState: 'h' });
  assert.equal(joint.dim, 12);
  assert.equal(hOnly.dim, 6);
  for (let t = 0; t < 5; t++) {
    joint.step(t);
    hOnly.step(t);
  }
  for (let b = 0; b < 2; b++) {
    for (let l = 0; l < 2; l++) {
      for (let u = 0; u < 3; u++) assert.equal(hOnly.state[b * 6 + l * 3 + u], joint.state[b * 12 + l * 6 + u]);
    }
  }
  assert.deepEqual(hOnly.output(), joint.output());
});

test('reset returns to the initial state and the trajectory repeats exactly', () => {
  const rng = new Rng(4);
  const model = randomModel({ cell: 'gru', inputSize: 2, hiddenSize: 3, numLayers: 1, bias: true }, rng, 0.8);
  const inputs = { batch: 2, steps: 3, size: 2, data: Float64Array.from({ length: 12 }, () => rng.range(-1, 1)) };
  const init = Float64Array.from({ length: 6 }, () => rng.range(-1, 1));
  const system = createCellSystem(model, inputs, { initialState: init });
  assert.deepEqual(system.state, init);
  system.step(0);
  system.step(1);
  const after = Float64Array.from(system.state);
  system.reset();
  assert.deepEqual(system.state, new Float64Array(6));
  system.reset(init);
  system.step(0);
  system.step(1);
  assert.deepEqual(system.state, after);
  assert.equal(system.dt, 1);
  assert.equal(system.timeUnit, 'step');
  assert.equal(system.inputSize, 2);
});

test('bad models, inputs, states and calls give errors that name the culprit', () => {
  const rng = new Rng(1);
  const model = randomModel({ cell: 'lstm', inputSize: 3, hiddenSize: 2, numLayers: 2, bias: true }, rng, 0.5);
  const inputs = { batch: 2, steps: 4, size: 3, data: new Float64Array(24) };
  assert.throws(() => createCellSystem(model, { ...inputs, size: 4, data: new Float64Array(32) }),
    /input size mismatch: model expects 3 features per step, inputs have 4/);
  assert.throws(() => createCellSystem(model, { ...inputs, data: new Float64Array(23) }), /inputs\.data has 23 values, expected .*= 24/);
  const nanInputs = new Float64Array(24);
  nanInputs[13] = Number.NaN;
  assert.throws(() => createCellSystem(model, { ...inputs, data: nanInputs }), /sequence 1, step 0, feature 1/);

  const withLayer1 = (patch: Partial<LayerWeights>): RnnModel =>
    ({ ...model, layers: [model.layers[0]!, { ...model.layers[1]!, ...patch }] });
  assert.throws(() => createCellSystem(withLayer1({ weightHh: new Float64Array(15) }), inputs),
    /weight_hh_l1 has 15 values, expected \[8, 2\] = 16/);
  assert.throws(() => createCellSystem(withLayer1({ weightIh: new Float64Array(24) }), inputs),
    /weight_ih_l1 has 24 values, expected \[8, 2\] = 16/);
  const badBias = Float64Array.from(model.layers[1]!.biasIh!);
  badBias[5] = Infinity;
  assert.throws(() => createCellSystem(withLayer1({ biasIh: badBias }), inputs), /bias_ih_l1 has non-finite value Infinity at flat index 5/);
  assert.throws(() => createCellSystem(withLayer1({ biasHh: undefined }), inputs), /bias_hh_l1 is missing/);
  assert.throws(() => createCellSystem({ ...model, numLayers: 3 }, inputs), /2 layers of weights, expected numLayers = 3/);
  assert.throws(() => createCellSystem(model, inputs, { lstmState: 'c' as never }), /lstmState is 'c'/);

  const system = createCellSystem(model, inputs);
  assert.throws(() => system.tangent(new Float64Array(16), 2, new Float64Array(16)), /no step taken/);
  assert.throws(() => system.step(4), (e: unknown) => e instanceof RangeError && /t=4/.test(e.message) && /T = 4/.test(e.message));
  assert.throws(() => system.reset(new Float64Array(7)), /initialState has 7 values, expected batch×dim = 2×8 = 16/);
  assert.throws(() => system.reset(undefined, new Float64Array(8)), /initialCell applies only to the LSTM 'h' mode/);
  system.step(0);
  assert.throws(() => system.tangent(new Float64Array(10), 2, new Float64Array(32)), /expected batch×dim×k = 2×8×2 = 32/);
  const shared = new Float64Array(32);
  assert.throws(() => system.tangent(shared, 2, shared), /out must not overlap q/);
});

test('formJacobian: one-layer h-state cells form J equal to the tangent map on the identity, and formedJacobian\'s terms give the same J; the joint LSTM and stacks offer none', async () => {
  const { denseJacobians } = await import('../src/lyapunov/jacobian.js');
  const { CELL_CONFIGS, configName } = await import('./cells.helpers.js');
  for (const c of CELL_CONFIGS) {
    const rng = new Rng(77);
    const hidden = 5;
    const model = randomModel({ cell: c.cell, inputSize: 2, hiddenSize: hidden, numLayers: c.layers, bias: c.bias }, rng, 0.9);
    const inputs = { batch: 3, steps: 2, size: 2, data: Float64Array.from({ length: 12 }, () => rng.range(-1, 1)) };
    const system = createCellSystem(model, inputs, c.lstmState ? { lstmState: c.lstmState } : {});
    const offers = c.layers === 1 && c.lstmState !== 'joint';
    assert.equal(system.formJacobian !== undefined, offers, configName(c));
    assert.equal(system.formedJacobian !== undefined, offers, configName(c));
    if (!offers) continue;
    system.reset(Float64Array.from({ length: 3 * system.dim }, () => rng.range(-0.8, 0.8)));
    system.step(0);
    system.step(1);
    const want = denseJacobians(system);
    const n = system.dim;
    for (let b = 0; b < 3; b++) {
      const got = new Float64Array(n * n).fill(Number.NaN);
      system.formJacobian!(b, got);
      for (let e = 0; e < n * n; e++) {
        assert.ok(Math.abs(got[e]! - want[b]![e]!) <= 1e-14, `${configName(c)} trajectory ${b} J[${Math.floor(e / n)}, ${e % n}] = ${got[e]}, expected ${want[b]![e]}`);
      }
      // The terms, summed by plain loops in gate order over the non-zero coefficients, give formJacobian's bits.
      const { weight, gates, hasDiagonal, terms } = system.formedJacobian!;
      const coef = new Float64Array(gates * n);
      const diagonal = new Float64Array(n);
      terms(b, coef, diagonal);
      for (let r = 0; r < n; r++) {
        for (let j = 0; j < n; j++) {
          let s: number | null = null;
          for (let g = 0; g < gates; g++) {
            if (coef[g * n + r] === 0) continue;
            const term = coef[g * n + r]! * weight[(g * n + r) * n + j]!;
            s = s === null ? term : s + term;
          }
          const entry = (s ?? 0) + (hasDiagonal && r === j ? diagonal[r]! : 0);
          assert.ok(entry === got[r * n + j], `${configName(c)} trajectory ${b}: terms give J[${r}, ${j}] = ${entry}, formJacobian ${got[r * n + j]}`);
        }
      }
    }
    assert.throws(() => system.formJacobian!(3, new Float64Array(n * n)), /formJacobian: trajectory 3 is outside the batch of 3/);
    assert.throws(() => system.formJacobian!(0, new Float64Array(n)), /formJacobian: out has 5 entries, expected dim×dim = 25/);
  }
});
