// Numerical fidelity of the spectrum where the arithmetic is hard: saturated units (one-step
// contractions far below any relative threshold), dead relu units (directions the Jacobian
// really annihilates), long unnormalised intervals and warm-ups whose products leave the
// float64 range. Oracles: the sum rule Σλ_i = ⟨log|det J|⟩ with the determinant from an LU of
// the dense Jacobian, the structure of J, and plain re-orthonormalisation written out here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCellSystem, randomModel, type CellKind, type LstmState, type RnnModel } from '../src/cells/index.js';
import { loadRnnModel } from '../src/io/index.js';
import { logAbsDet, Rng } from '../src/linalg/index.js';
import { denseJacobians, lyapunovSpectrum } from '../src/lyapunov/index.js';
import { randomDrive, type DriveKind } from '../src/model-spectrum/index.js';

const fixture = (name: string) => new URL(`./fixtures/torch/${name}`, import.meta.url).pathname;

/** The mean over steps and trajectories of log|det J_t| of the averaged steps, from LUs of the dense Jacobians. */
function meanLogDet(model: RnnModel, drive: ReturnType<typeof randomDrive>, transient: number, steps: number, lstmState?: LstmState): number {
  const system = createCellSystem(model, drive, lstmState ? { lstmState } : {});
  let sum = 0;
  for (let t = 0; t < transient + steps; t++) {
    system.step(t);
    if (t < transient) continue;
    for (const j of denseJacobians(system)) sum += logAbsDet(j.slice(), system.dim);
  }
  return sum / (steps * drive.batch);
}

for (const [cell, hidden, lstmState] of [['gru', 64], ['lstm', 64, 'h'], ['rnn_tanh', 32]] as [CellKind, number, LstmState?][]) {
  for (const kind of ['gaussian', 'onehot'] as DriveKind[]) {
    test(`saturated ${cell}${lstmState ? ` (${lstmState} state)` : ''} (H = ${hidden}, no bias, U(−3, 3)), ${kind} inputs: finite exponents that obey the sum rule`, () => {
      const model = randomModel({ cell, inputSize: 8, hiddenSize: hidden, numLayers: 1, bias: false }, new Rng(11), 3);
      const drive = randomDrive(kind, 2, 140, 8, 5);
      const r = lyapunovSpectrum(createCellSystem(model, drive, lstmState ? { lstmState } : {}), { steps: 100, transient: 40, sumRule: true });
      for (const row of r.perSequence) for (const l of row) assert.ok(Number.isFinite(l), `exponent ${l} is not finite`);
      const sum = r.exponents.reduce((s, l) => s + l, 0);
      const logDet = meanLogDet(model, drive, 40, 100, lstmState);
      assert.ok(Math.abs(sum - logDet) <= 1e-9 * Math.abs(logDet), `Σλ = ${sum}, ⟨log|det J|⟩ = ${logDet}`);
      assert.deepEqual(r.warnings, []);
    });
  }
}

// The saturated joint-state LSTM (H = 64, U(−3, 3)) is beyond float64 in its trailing exponents:
// its Jacobian's c-columns are scaled by forget gates down to e^−20, and forming J·Q in float64
// already loses them (an exact-arithmetic QR of the same float64 Jacobians, Python's decimal at 45
// digits, gives a sum 1 nat/step below every float64 QR tried: Householder, sorted or not, and
// Gram–Schmidt). What the tool must do there is say so: finite exponents, and the sum-rule warning.
for (const kind of ['gaussian', 'onehot'] as DriveKind[]) {
  test(`saturated joint-state lstm (H = 64, no bias, U(−3, 3)), ${kind} inputs: finite exponents, and the sum-rule warning when the residual exceeds its bound`, () => {
    const model = randomModel({ cell: 'lstm', inputSize: 8, hiddenSize: 64, numLayers: 1, bias: false }, new Rng(11), 3);
    const drive = randomDrive(kind, 2, 140, 8, 5);
    const r = lyapunovSpectrum(createCellSystem(model, drive), { steps: 100, transient: 40, sumRule: true });
    for (const row of r.perSequence) for (const l of row) assert.ok(Number.isFinite(l), `exponent ${l} is not finite`);
    const sum = r.exponents.reduce((s, l) => s + l, 0);
    const logDet = meanLogDet(model, drive, 40, 100);
    assert.ok(Math.abs(r.sumRuleResidual! - (sum - logDet)) <= 1e-9 * Math.abs(logDet), 'the residual is Σλ − ⟨log|det J|⟩');
    const bound = 1e-11 * (1 + r.exponents.reduce((s, l) => s + Math.abs(l), 0));
    assert.equal(r.warnings.length, Math.abs(r.sumRuleResidual!) > bound ? 1 : 0, `residual ${r.sumRuleResidual}, warnings ${r.warnings}`);
    if (r.warnings.length > 0) assert.match(r.warnings[0]!, /sum rule/);
  });
}

/** A relu RNN whose first `dead` units have a bias of −100 and small weights: they never fire. */
function reluWithDeadUnits(dead: number, hidden = 6): RnnModel {
  const model = randomModel({ cell: 'rnn_relu', inputSize: 3, hiddenSize: hidden, numLayers: 1, bias: true }, new Rng(3), 0.2);
  const layer = model.layers[0]!;
  for (let u = 0; u < dead; u++) layer.biasIh![u] = -100;
  // The live units: a bias that keeps them firing.
  for (let u = dead; u < hidden; u++) layer.biasIh![u] = 10;
  return model;
}

test('a relu network gives −∞ for exactly its dead directions, and finite exponents for the rest', () => {
  for (const dead of [1, 2]) {
    const model = reluWithDeadUnits(dead);
    const drive = randomDrive('gaussian', 2, 300, 3, 1);
    const r = lyapunovSpectrum(createCellSystem(model, drive), { steps: 250, transient: 50, sumRule: true });
    const n = model.hiddenSize;
    for (const row of r.perSequence) {
      assert.ok(row.slice(0, n - dead).every(Number.isFinite), `finite leading exponents: ${row}`);
      assert.deepEqual(row.slice(n - dead), Array(dead).fill(-Infinity));
    }
    // Fewer exponents than live directions: all finite.
    const top = lyapunovSpectrum(createCellSystem(model, drive), { steps: 250, transient: 50, k: n - dead });
    for (const row of top.perSequence) assert.ok(row.every(Number.isFinite), `k = n − dead: ${row}`);
    for (let i = 0; i < n - dead; i++) assert.ok(Math.abs(top.exponents[i]! - r.exponents[i]!) < 1e-2, `λ_${i + 1}: ${top.exponents[i]} vs ${r.exponents[i]}`);
  }
});

test('qrEvery = 100 on the LSTM fixture equals qrEvery = 1 within 0.02: the guard halves the interval and redoes what was too long', () => {
  const model = loadRnnModel(fixture('lstm_l1_bias_h4.model.safetensors'));
  const drive = randomDrive('gaussian', 4, 1100, model.inputSize, 2);
  const every = (qrEvery: number) => lyapunovSpectrum(createCellSystem(model, drive), { steps: 1000, transient: 100, qrEvery });
  const one = every(1);
  const hundred = every(100);
  for (let i = 0; i < one.exponents.length; i++) {
    assert.ok(Number.isFinite(hundred.exponents[i]!), `λ_${i + 1} = ${hundred.exponents[i]}`);
    assert.ok(Math.abs(hundred.exponents[i]! - one.exponents[i]!) < 0.02, `λ_${i + 1}: ${hundred.exponents[i]} vs ${one.exponents[i]}`);
  }
  assert.ok(hundred.qrGuardFired > 0 && hundred.qrRedone > 0, `fired ${hundred.qrGuardFired}, redone ${hundred.qrRedone}`);
  assert.ok(hundred.finalQrEvery < 100);
  assert.equal(one.qrGuardFired, 0);
});

test('a long unnormalised interval whose product leaves the float64 range gives the exact exponents (columns rescaled by powers of two)', () => {
  // A diagonal linear map with exponents ln 4, ln 0.25: over 600 steps the columns of the
  // product reach 4^±600 = 2^±1200, beyond float64, unless they are rescaled on the way.
  const a = new Float64Array([4, 0, 0, 0.25]);
  const r = lyapunovSpectrum(createDiagonalSystem(a), { steps: 600, qrEvery: 600, initialBasis: 'identity' });
  assert.ok(Math.abs(r.exponents[0]! - Math.log(4)) < 1e-12, `λ1 = ${r.exponents[0]}`);
  assert.ok(Math.abs(r.exponents[1]! - Math.log(0.25)) < 1e-12, `λ2 = ${r.exponents[1]}`);
});

/** x ↦ A x for a 2×2 A, with no way to rewind (the guard cannot redo; here it need not). */
function createDiagonalSystem(a: Float64Array) {
  return {
    dim: 2, batch: 1, dt: 1, timeUnit: 'step', state: new Float64Array(2),
    step() {},
    tangent(q: Float64Array, k: number, out: Float64Array) {
      for (let j = 0; j < k; j++) {
        out[2 * j] = a[0]! * q[2 * j]! + a[1]! * q[2 * j + 1]!;
        out[2 * j + 1] = a[2]! * q[2 * j]! + a[3]! * q[2 * j + 1]!;
      }
    },
  };
}

test("compat's warm-up whose product falls below 1e-154 equals an exactly re-orthonormalised warm-up to 1e-8", () => {
  // A strongly contracting LSTM (small weights: λ_1 ≈ −1.4 nats/step), h-only state as in the
  // authors' code: 300 unnormalised warm-up steps take the leading vector far below 1e-154,
  // where its squares underflow. (Only λ_1 is meaningful after such a warm-up in anyone's
  // code: the other columns of the unnormalised product have collapsed onto the first; k = 1.)
  const model = randomModel({ cell: 'lstm', inputSize: 3, hiddenSize: 5, numLayers: 1, bias: true }, new Rng(4), 0.08);
  const drive = randomDrive('gaussian', 1, 300, 3, 9);
  const warmup = 300;
  const steps = 40;
  const compat = lyapunovSpectrum(createCellSystem(model, drive, { lstmState: 'h' }), { steps, transient: warmup, compat: 'vogt2020', k: 1 });
  // The same conventions written out: Jᵀ, e_1 as the basis, normalised at every warm-up step (the
  // same final direction in exact arithmetic), then the averaged steps again from input 0, in bits.
  const system = createCellSystem(model, drive, { lstmState: 'h' });
  const n = system.dim;
  let q = new Float64Array(n);
  q[0] = 1;
  let logNorm = 0;
  const transposedStep = (t: number) => {
    system.step(t);
    const jac = denseJacobians(system)[0]!;
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let c = 0; c < n; c++) z[i] = z[i]! + jac[c * n + i]! * q[c]!;
    const norm = Math.hypot(...z);
    q = z.map((v) => v / norm);
    logNorm = Math.log2(norm);
  };
  let product = 0;
  for (let t = 0; t < warmup; t++) {
    transposedStep(t);
    product += logNorm;
  }
  assert.ok(product * Math.log10(2) < -160, `the warm-up product reaches 1e${(product * Math.log10(2)).toFixed(0)}`);
  let sum = 0;
  for (let t = 0; t < steps; t++) {
    transposedStep(t);
    sum += logNorm;
  }
  const expected = sum / steps;
  assert.ok(Math.abs(compat.exponents[0]! - expected) <= 1e-8 * (1 + Math.abs(expected)), `λ_1: ${compat.exponents[0]} vs ${expected}`);
});
