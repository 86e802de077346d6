import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OptionError, UserError } from '../src/errors.js';
import { lyapunovSpectrum, SpectrumError, henonMap, logisticMap, lorenz63, linearMap } from '../src/lyapunov/index.js';
import { Rng, randomOrthonormal, referenceKernels } from '../src/linalg/index.js';

const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tol ${tol})`);

test('Hénon map a=1.4, b=0.3: λ ≈ [0.4193, −1.6233], λ1+λ2 = ln 0.3 exactly', () => {
  const r = lyapunovSpectrum(henonMap({ batch: 4 }), { transient: 1000, steps: 100_000 });
  close(r.exponents[0]!, 0.4193, 0.004, 'λ1');
  close(r.exponents[1]!, -1.6233, 0.004, 'λ2');
  for (const row of r.perSequence) close(row[0]! + row[1]!, Math.log(0.3), 1e-10, 'sum');
  assert.ok(Math.abs(r.sumRuleResidual!) < 1e-10, `sum rule residual ${r.sumRuleResidual}`);
  close(r.kaplanYorke, 1 + r.exponents[0]! / Math.abs(r.exponents[1]!), 1e-12, 'Kaplan–Yorke');
  close(r.entropy, r.exponents[0]!, 0, 'entropy');
  assert.equal(r.units, 'nats/step');
  assert.equal(r.perSequence.length, 4);
  for (let i = 0; i < 2; i++) close(r.stderr[i]!, r.std[i]! / 2, 1e-15, 'stderr = std/√B');
});

test('logistic map r=4: λ = ln 2', () => {
  const r = lyapunovSpectrum(logisticMap({ batch: 3, seed: 7 }), { transient: 100, steps: 200_000 });
  close(r.exponents[0]!, Math.log(2), 0.01, 'λ');
});

test('log base 2 reports bits: the same run divided by ln 2', () => {
  const nats = lyapunovSpectrum(henonMap(), { transient: 100, steps: 5000 });
  const bits = lyapunovSpectrum(henonMap(), { transient: 100, steps: 5000, logBase: 2 });
  assert.equal(bits.units, 'bits/step');
  for (let i = 0; i < 2; i++) close(bits.exponents[i]!, nats.exponents[i]! / Math.LN2, 1e-12, `λ${i + 1}`);
});

test('Lorenz-63 (10, 28, 8/3): λ ≈ [0.9056, 0, −14.5723] per time unit, sum −13.6667', () => {
  const r = lyapunovSpectrum(lorenz63({ dt: 0.01 }), { transient: 2000, steps: 100_000 });
  assert.equal(r.units, 'nats/time unit');
  close(r.exponents[0]!, 0.9056, 0.03, 'λ1');
  close(r.exponents[1]!, 0, 0.01, 'λ2');
  close(r.exponents[2]!, -14.5723, 0.04, 'λ3');
  close(r.exponents[0]! + r.exponents[1]! + r.exponents[2]!, -(10 + 1 + 8 / 3), 2e-3, 'sum');
  assert.ok(Math.abs(r.sumRuleResidual!) < 1e-9, `sum rule residual ${r.sumRuleResidual}`);
  // The convergence trace ends at the reported value.
  assert.deepEqual(r.trace.exponents.at(-1), r.exponents);
  assert.equal(r.trace.steps.at(-1), 100_000);
});

test('qrEvery > 1 agrees with QR every step; the conditioning guard fires on a stiff flow', () => {
  const every1 = lyapunovSpectrum(henonMap({ batch: 2 }), { transient: 100, steps: 20_000 });
  const every4 = lyapunovSpectrum(henonMap({ batch: 2 }), { transient: 100, steps: 20_000, qrEvery: 4 });
  for (let i = 0; i < 2; i++) close(every4.exponents[i]!, every1.exponents[i]!, 1e-6, `λ${i + 1}`);
  assert.ok(every4.qrCount < every1.qrCount / 3);
  assert.equal(every4.qrGuardFired, 0);
  // Lorenz over 200 steps contracts λ3 by e^(−14.6·2) relative to λ1: past the guard's bound.
  const stiff = lyapunovSpectrum(lorenz63(), { transient: 1000, steps: 20_000, qrEvery: 200 });
  assert.ok(stiff.qrGuardFired > 0, 'guard fired');
  close(stiff.exponents[2]!, -14.57, 0.3, 'λ3 with guard');
});

/** A = O T Oᵀ with T upper triangular: eigenvalues diag(T), far from its singular values. */
function nonNormal(diag: number[], seed: number): Float64Array {
  const n = diag.length;
  const rng = new Rng(seed);
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    t[i * n + i] = diag[i]!;
    for (let j = i + 1; j < n; j++) t[i * n + j] = 3 * rng.normal();
  }
  return conjugate(t, n, randomOrthonormal(referenceKernels, rng, n, n));
}

/** O M Oᵀ for O given as an n×n column-major block. */
function conjugate(m: Float64Array, n: number, o: Float64Array): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) for (let q = 0; q < n; q++) s += o[p * n + i]! * m[p * n + q]! * o[q * n + j]!;
      out[i * n + j] = s;
    }
  }
  return out;
}

test('linear map: λ_i = ln|eig_i(A)| (not singular values), sorted, invariant under orthogonal change of basis', () => {
  const eig = [1.5, -0.9, 0.5, -0.2, 0.05];
  const n = eig.length;
  const a = nonNormal(eig, 3);
  const expected = eig.map((e) => Math.log(Math.abs(e)));
  const r = lyapunovSpectrum(linearMap(a, n, { batch: 2 }), { transient: 200, steps: 4000, seed: 5 });
  for (let i = 0; i < n; i++) close(r.exponents[i]!, expected[i]!, 2e-3, `λ${i + 1}`);
  for (let i = 1; i < n; i++) assert.ok(r.exponents[i - 1]! > r.exponents[i]!, 'sorted');
  const rotated = conjugate(a, n, randomOrthonormal(referenceKernels, new Rng(99), n, n));
  const r2 = lyapunovSpectrum(linearMap(rotated, n, { batch: 2 }), { transient: 200, steps: 4000, seed: 5 });
  for (let i = 0; i < n; i++) close(r2.exponents[i]!, r.exponents[i]!, 2e-3, `rotated λ${i + 1}`);
  // Partial spectrum: the leading k agree with the full one.
  const top2 = lyapunovSpectrum(linearMap(a, n), { transient: 200, steps: 4000, k: 2 });
  assert.equal(top2.exponents.length, 2);
  assert.equal(top2.sumRuleResidual, null);
  for (let i = 0; i < 2; i++) close(top2.exponents[i]!, expected[i]!, 2e-3, `top-k λ${i + 1}`);
});

test('an identity initial basis locks a diagonal map\'s QR columns into the wrong order (sorted after, and said); a random one does not', () => {
  const a = Float64Array.from([0.5, 0, 0, 2]);
  const locked = lyapunovSpectrum(linearMap(a, 2), { steps: 500, initialBasis: 'identity' });
  assert.deepEqual(locked.columnOrder, [1, 0], 'column 0 carried the contracting direction');
  close(locked.exponents[0]!, Math.log(2), 1e-12, 'locked, sorted first');
  close(locked.exponents[1]!, Math.log(0.5), 1e-12, 'locked, sorted second');
  const random = lyapunovSpectrum(linearMap(a, 2), { steps: 500 });
  close(random.exponents[0]!, Math.log(2), 0.01, 'random first');
  close(random.exponents[1]!, Math.log(0.5), 0.01, 'random second');
  assert.deepEqual(random.columnOrder, [0, 1]);
});

test('single trajectory: standard error from batch means in time', () => {
  const r = lyapunovSpectrum(henonMap(), { transient: 100, steps: 20_000 });
  assert.equal(r.stderrMethod, 'batch-means');
  assert.ok(r.stderr[0]! > 0 && r.stderr[0]! < 0.05, `stderr ${r.stderr[0]}`);
  assert.equal(r.std[0], 0);
});

test('a diverging map is a clear error, never NaN exponents', () => {
  assert.throws(() => lyapunovSpectrum(logisticMap({ r: 5 }), { steps: 2000 }), (e: unknown) =>
    e instanceof SpectrumError && /state diverged/.test(e.message) && /trajectory 0/.test(e.message));
});

test('option values out of range are OptionErrors (user errors) naming the option', () => {
  const optionError = (pattern: RegExp) => (e: unknown) => e instanceof OptionError && e instanceof UserError && pattern.test(e.message);
  assert.throws(() => lyapunovSpectrum(henonMap(), { steps: 10, k: 3 }), optionError(/k must be an integer in \[1, 2\], got 3/));
  assert.throws(() => lyapunovSpectrum(henonMap(), { steps: 0 }), optionError(/steps must be an integer ≥ 1, got 0/));
  assert.throws(() => lyapunovSpectrum(henonMap(), { steps: 10, transient: -1 }), optionError(/transient must be/));
  assert.throws(() => lyapunovSpectrum(henonMap(), { steps: 10, qrEvery: 1.5 }), optionError(/qrEvery must be/));
  assert.throws(() => lyapunovSpectrum(henonMap(), { steps: 10, compat: 'vogt2021' as never }), optionError(/compat is 'vogt2021'/));
  assert.throws(() => lyapunovSpectrum(henonMap(), { steps: 10, compat: 'vogt2020', qrEvery: 2 }), optionError(/qrEvery must be 1/));
});
