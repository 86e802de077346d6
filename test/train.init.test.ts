import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/linalg/index.js';
import { formatInit, initialiseParams, parseInit, createParams, tensorByName, tensorView, type NetworkSpec } from '../src/train/index.js';

const spec: NetworkSpec = { cell: 'lstm', inputSize: 7, hiddenSize: 24, numLayers: 2, bias: true, outputSize: 5 };

function initialised(init: string, seed = 1) {
  const params = createParams(spec, 'float64');
  initialiseParams(params, init, new Rng(seed));
  return params;
}

const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, x) => Math.max(m, Math.abs(x)), 0);

test('parseInit reads the four forms and round-trips through formatInit', () => {
  assert.deepEqual(parseInit('default'), { kind: 'default' });
  assert.deepEqual(parseInit('uniform:0.08'), { kind: 'uniform', scale: 0.08 });
  assert.deepEqual(parseInit('orthogonal'), { kind: 'orthogonal' });
  assert.deepEqual(parseInit('normal:1.0'), { kind: 'normal', gain: 1 });
  for (const text of ['default', 'uniform:0.08', 'orthogonal', 'normal:1.5']) assert.equal(formatInit(parseInit(text)), text);
});

test('parseInit rejects malformed strings with a message naming the problem', () => {
  assert.throws(() => parseInit('uniform'), /uniform needs one positive number/);
  assert.throws(() => parseInit('uniform:-1'), /positive number/);
  assert.throws(() => parseInit('normal:abc'), /positive number/);
  assert.throws(() => parseInit('uniform:0.1:2'), /one positive number/);
  assert.throws(() => parseInit('orthogonal:2'), /takes no parameter/);
  assert.throws(() => parseInit('xavier'), /not one of default, uniform:P/);
});

test('default init: every parameter in (−1/√H, 1/√H) and spread over that range', () => {
  const params = initialised('default');
  const bound = 1 / Math.sqrt(spec.hiddenSize);
  for (const tensor of params.layout.tensors) {
    const m = maxAbs(tensorView(params.values, tensor));
    assert.ok(m < bound && m > 0.8 * bound, `${tensor.name}: max |x| ${m}, bound ${bound}`);
  }
});

test('uniform:p init: recurrent parameters in (−p, p) with variance p²/3, readout at the default', () => {
  const params = initialised('uniform:0.3');
  const recurrent = params.layout.tensors.filter((t) => t.layer >= 0).flatMap((t) => Array.from(tensorView(params.values, t)));
  assert.ok(maxAbs(recurrent) < 0.3);
  const variance = recurrent.reduce((s, x) => s + x * x, 0) / recurrent.length;
  assert.ok(Math.abs(variance - 0.09 / 3) < 0.002, `variance ${variance}`);
  assert.ok(maxAbs(tensorView(params.values, tensorByName(params.layout, 'readout.weight'))) < 1 / Math.sqrt(24));
});

test('orthogonal init: each gate block of weight_hh is orthogonal (QᵀQ = I)', () => {
  const params = initialised('orthogonal');
  const h = spec.hiddenSize;
  for (const name of ['weight_hh_l0', 'weight_hh_l1']) {
    const u = tensorView(params.values, tensorByName(params.layout, name));
    for (let g = 0; g < 4; g++) {
      for (let i = 0; i < h; i++) {
        for (let j = 0; j < h; j++) {
          let d = 0;
          for (let r = 0; r < h; r++) d += u[(g * h + r) * h + i]! * u[(g * h + r) * h + j]!;
          assert.ok(Math.abs(d - (i === j ? 1 : 0)) < 1e-12, `${name} gate ${g}: (QᵀQ)[${i},${j}] = ${d}`);
        }
      }
    }
  }
});

test('normal:g init: weight entries have variance g²/H', () => {
  const params = initialised('normal:2');
  const weights = params.layout.tensors
    .filter((t) => t.role === 'weightIh' || t.role === 'weightHh')
    .flatMap((t) => Array.from(tensorView(params.values, t)));
  const variance = weights.reduce((s, x) => s + x * x, 0) / weights.length;
  const expected = 4 / spec.hiddenSize;
  assert.ok(Math.abs(variance / expected - 1) < 0.05, `variance ${variance}, expected ${expected}`);
});

test('initialisation is reproducible: same seed, same bits; another seed, other values', () => {
  assert.deepEqual(initialised('uniform:0.1', 7).values, initialised('uniform:0.1', 7).values);
  assert.notDeepEqual(initialised('uniform:0.1', 7).values, initialised('uniform:0.1', 8).values);
});
