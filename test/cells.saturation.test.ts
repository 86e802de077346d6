/**
 * The cells' derivatives in saturation, where 1 − tanh² and σ(1 − σ) from the activations
 * cancel (to exactly 0 beyond |y| ≈ 18.7 and 36.7): the tangent maps (both paths) and the
 * training steps' backward, on one-unit cells with large biases, against the derivatives
 * written out here with independent slope formulas (the fixture script's forms, Math.exp).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { denseJacobians } from '../src/lyapunov/index.js';
import { createCellSystem, type CellKind, type LayerWeights, type RnnModel, type TangentPath } from '../src/cells/index.js';
import { cellStep, type StepViews } from '../src/cells/backward/index.js';

/** The references: sech² y = 4e^{−2|y|}/(1 + e^{−2|y|})², σ'(y) = σ(y)·σ(−y), each factor 1/(1 + e^{∓y}). */
const sech2 = (y: number) => { const e = Math.exp(-2 * Math.abs(y)); return (4 * e) / ((1 + e) * (1 + e)); };
const sig = (y: number) => 1 / (1 + Math.exp(-y));
const sigSlope = (y: number) => sig(y) * sig(-y);

function close(got: number, want: number, what: string, rel = 1e-12): void {
  assert.ok(want !== 0 && Number.isFinite(want), `${what}: reference ${want}`);
  assert.ok(got !== 0, `${what}: 0, want ${want}`);
  assert.ok(Math.abs(got - want) <= rel * Math.abs(want), `${what}: ${got}, want ${want} (rel ${Math.abs(got - want) / Math.abs(want)})`);
}

const f64 = (...v: number[]) => Float64Array.from(v);

/** One layer, one unit, one input (always 0), bias on the input side only. */
function oneUnit(cell: CellKind, weightHh: number[], biasIh: number[]): RnnModel {
  const g = weightHh.length;
  const layer: LayerWeights = { weightIh: new Float64Array(g), weightHh: f64(...weightHh), biasIh: f64(...biasIh), biasHh: new Float64Array(g) };
  return { cell, inputSize: 1, hiddenSize: 1, numLayers: 1, bias: true, layers: [layer] };
}

function jacobian(model: RnnModel, s0: number[], path: TangentPath): Float64Array {
  const system = createCellSystem(model, { batch: 1, steps: 1, size: 1, data: new Float64Array(1) }, { tangentPath: path, initialState: f64(...s0) });
  system.step(0);
  return denseJacobians(system)[0]!;
}

for (const path of ['structured', 'formed'] as const) {
  test(`tanh RNN tangent (${path}) in saturation: J = sech²(y)·u, nonzero`, () => {
    const u = 0.5, h = 0.2;
    for (const b of [18.7, 30, -30, 100, 300]) {
      const y = b + u * h;
      const [j] = jacobian(oneUnit('rnn_tanh', [u], [b]), [h], path);
      close(j!, sech2(y) * u, `bias ${b}`);
    }
  });

  test(`LSTM joint tangent (${path}) with saturated gates and cell: every entry nonzero and accurate`, () => {
    // i ≈ e^{−30}, f ≈ 1 − e^{−30}, g ≈ 1 − 2e^{−50}, o ≈ 1 − e^{−20}, c' ≈ 25: 1 − tanh² c' = 0 in float64.
    const w = 0.5, h = 0.1, c = 25;
    const [bi, bf, bg, bo] = [-30, 30, 25, 20];
    const [yi, yf, yg, yo] = [bi, bf, bg, bo].map((b) => b + w * h) as [number, number, number, number];
    const [i, f, g, o] = [sig(yi), sig(yf), Math.tanh(yg), sig(yo)];
    const cn = f * c + i * g;
    const dcdh = sigSlope(yf) * w * c + sigSlope(yi) * w * g + i * sech2(yg) * w;
    const want = [
      sigSlope(yo) * w * Math.tanh(cn) + o * sech2(cn) * dcdh, o * sech2(cn) * f, // ∂h'/∂(h, c)
      dcdh, f, // ∂c'/∂(h, c)
    ];
    const jac = jacobian(oneUnit('lstm', [w, w, w, w], [bi, bf, bg, bo]), [h, c], path);
    const names = ['∂h\'/∂h', '∂h\'/∂c', '∂c\'/∂h', '∂c\'/∂c'];
    want.forEach((v, k) => close(jac[k]!, v, names[k]!));
    assert.ok(o * sech2(cn) * f < 1e-20, 'the cell is saturated');
  });

  test(`GRU tangent (${path}) with saturated r, z and n: ∂h'/∂h through sech²(ñ) and σ'_r, nonzero`, () => {
    // z ≈ e^{−300} (so the z paths vanish), r ≈ 1 − e^{−30}, ñ ≈ 20: 1 − n² = 0 in float64.
    // U_n = 0 and b_hn = 1 leave ñ = b_in + r·b_hn, whose h-derivative is σ'_r U_r b_hn.
    const ur = 0.5, uz = 0.5, h = 0.1, bhn = 1;
    const model = oneUnit('gru', [ur, uz, 0], [30, -300, 19]);
    model.layers[0]!.biasHh = f64(0, 0, bhn);
    const yr = 30 + ur * h, yz = -300 + uz * h;
    const r = sig(yr), z = sig(yz);
    const yn = 19 + r * bhn, n = Math.tanh(yn);
    const want = sig(-yz) * sech2(yn) * sigSlope(yr) * ur * bhn + sigSlope(yz) * uz * (h - n) + z;
    const [j] = jacobian(model, [h], path);
    close(j!, want, '∂h\'/∂h');
    assert.ok(want > 1e-31 && want < 1e-29, `${want}: the saturated path dominates`);
  });
}

/** Views of one step for B = 1, H = 1, float64. */
function views(gates: number[], hidden: number[] = [], hPrev = 0, cPrev = 0): StepViews {
  const g = gates.length;
  return {
    gates: f64(...gates), hidden: f64(...hidden), aux: new Float64Array(1), hPrev: f64(hPrev), h: new Float64Array(1),
    cPrev: f64(cPrev), c: new Float64Array(1), dPreInput: new Float64Array(g), dPreHidden: new Float64Array(g),
  };
}

test('tanh RNN backward step in saturation: ∂loss/∂pre = dh·sech²(pre), nonzero', () => {
  const step = cellStep('rnn_tanh');
  for (const y of [18.7, -25, 40, 300]) {
    const v = views([y]);
    step.forward(1, 1, v);
    assert.equal(v.h[0], Math.tanh(y));
    step.backward(1, 1, v, f64(2), new Float64Array(1), new Float64Array(1));
    close(v.dPreInput[0]!, 2 * sech2(y), `pre ${y}`);
  }
});

test('LSTM backward step in saturation: every gate gradient nonzero and accurate (also with dc = 0)', () => {
  const step = cellStep('lstm');
  const [yi, yf, yg, yo] = [-30, 30, 25, 20];
  const cp = 25;
  for (const dcIn of [0, 0.5]) {
    const v = views([yi, yf, yg, yo], [], 0, cp);
    step.forward(1, 1, v);
    const [i, f, g, o] = [sig(yi), sig(yf), Math.tanh(yg), sig(yo)];
    const cn = f * cp + i * g;
    assert.equal(v.c[0], cn);
    assert.equal(v.h[0], o * Math.tanh(cn));
    const dh = 1;
    const dc = f64(dcIn);
    step.backward(1, 1, v, f64(dh), dc, new Float64Array(1));
    const dct = dcIn + dh * o * sech2(cn);
    close(v.dPreInput[0]!, dct * g * sigSlope(yi), `∂/∂ĩ, dc ${dcIn}`);
    close(v.dPreInput[1]!, dct * cp * sigSlope(yf), `∂/∂f̃, dc ${dcIn}`);
    close(v.dPreInput[2]!, dct * i * sech2(yg), `∂/∂g̃, dc ${dcIn}`);
    close(v.dPreInput[3]!, dh * Math.tanh(cn) * sigSlope(yo), `∂/∂õ, dc ${dcIn}`);
    close(dc[0]!, dct * f, `∂/∂c_{t-1}, dc ${dcIn}`);
  }
});

test('GRU backward step in saturation: 1 − z as σ(−z̃), sech²(ñ) and σ\' all accurate and nonzero', () => {
  const step = cellStep('gru');
  // z̃ = 30: 1 − z ≈ e^{−30} (1 − z from z has relative error ≈ 1e-3); ñ ≈ 20; r̃ = −30.
  const x = [-30.5, 29.5, 19.5], hh = [0.5, 0.5, 0.5], hp = 0.3;
  const v = views(x, hh, hp);
  step.forward(1, 1, v);
  const yr = x[0]! + hh[0]!, yz = x[1]! + hh[1]!;
  const r = sig(yr), z = sig(yz);
  const yn = x[2]! + r * hh[2]!, n = Math.tanh(yn);
  assert.equal(v.h[0], (1 - z) * n + z * hp);
  const dh = 1.5;
  const dhPrev = new Float64Array(1);
  step.backward(1, 1, v, f64(dh), new Float64Array(1), dhPrev);
  const dn = dh * sig(-yz) * sech2(yn);
  close(v.dPreInput[2]!, dn, '∂/∂x̃_n');
  close(v.dPreHidden[2]!, dn * r, '∂/∂h̃_n');
  close(v.dPreInput[0]!, dn * hh[2]! * sigSlope(yr), '∂/∂x̃_r');
  close(v.dPreHidden[0]!, dn * hh[2]! * sigSlope(yr), '∂/∂h̃_r');
  close(v.dPreInput[1]!, dh * (hp - n) * sigSlope(yz), '∂/∂x̃_z');
  close(dhPrev[0]!, dh * z, 'direct ∂/∂h_{t-1}');
});
