import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, WasmKernels } from '../src/linalg/index.js';
import { LstmLayer } from '../src/cells/lstm-layer.js';
import { GruLayer } from '../src/cells/gru-layer.js';
import { exp, tanh } from '../src/linalg/libm.js';

// The float64 wasm kernels' LSTM and GRU forward steps (asm/spectrum-cells.ts, with fdlibm's exp and
// tanh compiled in asm/libm64.ts) against the layers' own JavaScript (the reference twin): every
// output bit for bit, on pre-activations that reach every branch of exp, expm1 and tanh — tiny
// (< 2^-28), 1 (V8's exp(1)), the reductions k = 0, ±1, the larger k of each of expm1's ranges,
// exp's subnormal results (k < −1021), overflow and underflow, ±∞, NaN and −0 — and on random ones.

const kernels = new WasmKernels();

const SPECIAL = [
  0, -0, 1e-300, -3e-9, 2 ** -29, 1, -1, 0.2, -0.34, 0.35, -0.36, 0.9, 1.03, -1.04, 1.5, 2.7, -5, 9.9, 10.1, -15,
  21.9, 22, -22.5, 28.2, 30, 36, -40, 300, -600, 708.3, -708.5, 709, 709.8, -720, 744, 745.2, -746, 800, -1e10,
  Infinity, -Infinity, NaN,
];

/** B·width·H pre-activations: the special values (every one in every gate's place) then random ones of mixed scales. */
function preActivations(rng: Rng, batch: number, width: number, hidden: number): Float64Array {
  const pre = new Float64Array(batch * width * hidden);
  for (let i = 0; i < pre.length; i++) {
    const scale = [0.3, 3, 30, 400][i % 4]!;
    pre[i] = i < SPECIAL.length * width ? SPECIAL[(i + Math.floor(i / SPECIAL.length)) % SPECIAL.length]! : scale * rng.normal();
  }
  return pre;
}

/** A layer's weights (only the biases matter to a forward step from given pre-activations). */
function layerWeights(rng: Rng, gates: number, hidden: number, bias: boolean) {
  const biases = () => ({ biasIh: rng.fillNormal(new Float64Array(gates * hidden)), biasHh: rng.fillNormal(new Float64Array(gates * hidden)) });
  return { weightIh: new Float64Array(gates * hidden * 2), weightHh: new Float64Array(gates * hidden * hidden), ...(bias ? biases() : {}) };
}

function assertSameBits(name: string, got: Float64Array, want: Float64Array): void {
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) assert.fail(`${name}[${i}]: wasm gave ${got[i]}, the JavaScript ${want[i]}`);
  }
}

test('libm64 sanity: the special values do reach exp and tanh beyond their plain ranges', () => {
  // Guards the value list above: it must contain arguments whose results are subnormal, 0, ∞ and NaN.
  const results = SPECIAL.flatMap((v) => [exp(-v), tanh(v)]);
  assert.ok(results.some((r) => r > 0 && r < 2.2250738585072014e-308), 'a subnormal exp');
  assert.ok(results.includes(Infinity) && results.includes(0) && results.some(Number.isNaN));
});

for (const bias of [true, false]) {
  test(`wasm LSTM forward step equals the JavaScript's bit for bit (${bias ? 'bias' : 'no bias'})`, () => {
    const rng = new Rng(bias ? 3 : 4);
    const [batch, hidden] = [5, 37];
    const weights = layerWeights(rng, 4, hidden, bias);
    const pre = preActivations(rng, batch, 4, hidden);
    const hOld = new Float64Array(batch * hidden);
    const cOld = preActivations(rng, batch, 1, hidden).reverse();
    const run = (layer: LstmLayer) => {
      const [hNew, cNew] = [new Float64Array(batch * hidden), new Float64Array(batch * hidden)];
      layer.forward(null, pre, hOld, cOld, hNew, cNew);
      const coefficients = new Float64Array(batch * 4 * 2 * hidden);
      const coupling = new Float64Array(batch * 2 * hidden);
      for (let b = 0; b < batch; b++) {
        layer.formedCoefficients(b, 'hidden', coefficients.subarray(b * 8 * hidden, (b + 1) * 8 * hidden));
        layer.formedCellCoupling(b, coupling.subarray(b * 2 * hidden, (b + 1) * 2 * hidden));
      }
      return { hNew, cNew, coefficients, coupling };
    };
    const js = run(new LstmLayer(weights, hidden, batch, true));
    const wasm = run(new LstmLayer(weights, hidden, batch, true, kernels.cellForward));
    for (const name of ['hNew', 'cNew', 'coefficients', 'coupling'] as const) assertSameBits(name, wasm[name], js[name]);
    // The comparison is of real work: the outputs hold saturated, ordinary and non-finite values.
    assert.ok(js.hNew.some(Number.isNaN) && js.hNew.some((v) => Math.abs(v) > 0.1 && Math.abs(v) < 0.9));
  });

  test(`wasm GRU forward step equals the JavaScript's bit for bit (${bias ? 'bias' : 'no bias'})`, () => {
    const rng = new Rng(bias ? 5 : 6);
    const [batch, hidden] = [4, 41];
    const weights = layerWeights(rng, 3, hidden, bias);
    const x = preActivations(rng, batch, 3, hidden);
    const fromHidden = preActivations(rng, batch, 3, hidden).reverse();
    const hOld = rng.fillNormal(new Float64Array(batch * hidden));
    const run = (layer: GruLayer) => {
      const hNew = new Float64Array(batch * hidden);
      layer.forward(x, fromHidden, hOld, null, hNew);
      const coefficients = new Float64Array(batch * 3 * hidden);
      const diagonal = new Float64Array(batch * hidden);
      for (let b = 0; b < batch; b++) {
        layer.formedCoefficients(b, 'hidden', coefficients.subarray(b * 3 * hidden, (b + 1) * 3 * hidden));
        layer.formedDiagonal(b, diagonal.subarray(b * hidden, (b + 1) * hidden));
      }
      return { hNew, coefficients, diagonal };
    };
    const js = run(new GruLayer(weights, hidden, batch));
    const wasm = run(new GruLayer(weights, hidden, batch, kernels.cellForward));
    for (const name of ['hNew', 'coefficients', 'diagonal'] as const) assertSameBits(name, wasm[name], js[name]);
    assert.ok(js.hNew.some(Number.isNaN) && js.hNew.some((v) => Math.abs(v) > 0.1 && Math.abs(v) < 0.9));
  });
}

test('cellForward refuses arrays of the wrong length by name', () => {
  const [batch, hidden] = [2, 3];
  const arrays = (n: number) => new Float64Array(n);
  const out = { fromI: arrays(6), fromF: arrays(6), fromG: arrays(6), fromO: arrays(6), a: arrays(6), f: arrays(6), cNew: arrays(6), hNew: arrays(5) };
  assert.throws(() => kernels.cellForward.lstm(batch, hidden, arrays(24), arrays(12), arrays(6), out), /cellForward.lstm: out.hNew holds 5 doubles, expected 6/);
  assert.throws(() => kernels.cellForward.lstm(batch, hidden, arrays(24), arrays(11), arrays(6), { ...out, hNew: arrays(6) }), /cellForward.lstm: bias holds 11 doubles, expected 12/);
  const gruOut = { a: arrays(6), rFromHidden: arrays(6), zFromOld: arrays(6), r: arrays(6), z: arrays(6), hNew: arrays(6) };
  assert.throws(() => kernels.cellForward.gru(batch, hidden, arrays(18), arrays(17), arrays(9), arrays(9), arrays(6), gruOut), /cellForward.gru: fromHidden holds 17 doubles, expected 18/);
});
