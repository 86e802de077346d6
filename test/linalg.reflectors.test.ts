import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type LinalgKernels, referenceKernels, Rng, createKernels } from '../src/linalg/index.js';
import { naiveProduct } from './linalg.helpers.js';

// The basis kept as Householder reflectors (qrReflectors, reflectorStep) against the explicit QR
// iteration: |R_jj| of Z = M·Q must not depend on how Q is kept, since Q's columns differ at most
// in sign. Oracles: qrPositive of the explicitly formed product, and M = I, for which Z = Q and
// every |R_jj| = 1 exactly when the stored Q is orthonormal.

const KERNELS: LinalgKernels[] = [referenceKernels, createKernels('wasm'), createKernels('wasm', { precision: 'float32' })];
const tolerance = (kernels: LinalgKernels) => (kernels.precision === 'float32' ? 2e-5 : 1e-12);
const SHAPES = [[1, 1], [3, 2], [7, 7], [20, 13], [33, 33], [64, 64], [130, 97], [130, 130]] as const;

function identity(n: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;
  return m;
}

function assertRelative(name: string, got: Float64Array, want: Float64Array, bound: number): void {
  const scale = want.reduce((s, v) => Math.max(s, Math.abs(v)), 0);
  for (let j = 0; j < want.length; j++) {
    assert.ok(Math.abs(got[j]! - want[j]!) <= bound * scale, `${name}: |R_${j}${j}| = ${got[j]}, expected ${want[j]}`);
  }
}

for (const kernels of KERNELS) {
  test(`${kernels.name} qrReflectors: |R_jj| equal qrPositive's`, () => {
    const rng = new Rng(31);
    for (const [n, k] of SHAPES) {
      const z = rng.fillNormal(new Float64Array(n * k));
      const store = kernels.createReflectorStore(n, k, 2);
      const rDiag = new Float64Array(k);
      kernels.qrReflectors(z.slice(), store, 1, rDiag);
      const want = new Float64Array(k);
      kernels.qrPositive(z.slice(), n, k, want);
      assertRelative(`${n}×${k}`, rDiag, want, tolerance(kernels));
    }
  });

  test(`${kernels.name} reflectorStep: two steps equal the explicit QR iteration, and M = I finds Q orthonormal`, () => {
    const rng = new Rng(32);
    for (const [n, k] of SHAPES) {
      const z0 = rng.fillNormal(new Float64Array(n * k));
      const m1 = rng.fillNormal(new Float64Array(n * n));
      const m2 = rng.fillNormal(new Float64Array(n * n));
      const store = kernels.createReflectorStore(n, k, 3);
      const slot = 2;
      const rDiag = new Float64Array(k);
      kernels.qrReflectors(z0.slice(), store, slot, rDiag);
      // Explicit: Q0 from Z0, Z1 = M1·Q0 → Q1, Z2 = M2·Q1 (the float64 reference throughout).
      const q = z0.slice();
      referenceKernels.qrPositive(q, n, k, new Float64Array(k));
      for (const [step, m] of [[1, m1], [2, m2]] as const) {
        const explicit = naiveProduct(m, n, n, q, k);
        const want = new Float64Array(k);
        referenceKernels.qrPositive(explicit, n, k, want);
        q.set(explicit);
        kernels.reflectorStep(m.slice(), store, slot, rDiag);
        assertRelative(`${n}×${k} step ${step}`, rDiag, want, 10 * tolerance(kernels));
      }
      kernels.reflectorStep(identity(n), store, slot, rDiag);
      for (let j = 0; j < k; j++) {
        assert.ok(Math.abs(rDiag[j]! - 1) <= 10 * tolerance(kernels), `${n}×${k}: Z = Q gave |R_${j}${j}| = ${rDiag[j]}, expected 1`);
      }
    }
  });

  test(`${kernels.name} reflectors: Q stays orthonormal from a block of condition number 1e10 and from a zero column`, () => {
    const rng = new Rng(33);
    const n = 40;
    const k = 30;
    const z = rng.fillNormal(new Float64Array(n * k));
    for (let c = 0; c < n; c++) {
      z[5 * n + c] = z[4 * n + c]! * (1 + 1e-10) + 1e-10 * z[6 * n + c]!; // column 5 ≈ column 4
      z[9 * n + c] = 0; // column 9 is zero
    }
    const store = kernels.createReflectorStore(n, k, 1);
    const rDiag = new Float64Array(k);
    kernels.qrReflectors(z, store, 0, rDiag);
    assert.equal(rDiag[9], 0, 'a zero column gives R_jj = 0');
    kernels.reflectorStep(identity(n), store, 0, rDiag);
    for (let j = 0; j < k; j++) {
      assert.ok(Math.abs(rDiag[j]! - 1) <= 10 * tolerance(kernels), `|R_${j}${j}| of Q itself is ${rDiag[j]}, expected 1`);
    }
  });

  test(`${kernels.name} reflectors: a NaN shows in rDiag instead of vanishing`, () => {
    const z = new Float64Array(12).fill(1);
    z[5] = Number.NaN;
    const store = kernels.createReflectorStore(4, 3, 1);
    const rDiag = new Float64Array(3);
    kernels.qrReflectors(z, store, 0, rDiag);
    assert.ok(rDiag.some((r) => Number.isNaN(r)), `rDiag ${rDiag} hides the NaN`);
  });
}

test('wasm reflectors agree with js to 1e-10 over ten steps (n = 96, k = 96 and 80)', () => {
  const wasm = createKernels('wasm');
  for (const k of [96, 80]) {
    const n = 96;
    const rng = new Rng(34);
    const z0 = rng.fillNormal(new Float64Array(n * k));
    const stores = [referenceKernels, wasm].map((kernels) => kernels.createReflectorStore(n, k, 1));
    const rJs = new Float64Array(k);
    const rWasm = new Float64Array(k);
    referenceKernels.qrReflectors(z0.slice(), stores[0]!, 0, rJs);
    wasm.qrReflectors(z0.slice(), stores[1]!, 0, rWasm);
    for (let step = 0; step < 10; step++) {
      const m = rng.fillNormal(new Float64Array(n * n)).map((v) => v / Math.sqrt(n));
      referenceKernels.reflectorStep(m.slice(), stores[0]!, 0, rJs);
      wasm.reflectorStep(m.slice(), stores[1]!, 0, rWasm);
      assertRelative(`k=${k} step ${step}`, rWasm, rJs, 1e-10);
    }
  }
});

test('reflector stores: a wrong slot, another instance\'s store and a replaced store are named errors', () => {
  const wasm = createKernels('wasm');
  const other = createKernels('wasm');
  const rDiag = new Float64Array(2);
  for (const kernels of [referenceKernels, wasm]) {
    const store = kernels.createReflectorStore(3, 2, 2);
    assert.throws(() => kernels.qrReflectors(new Float64Array(6), store, 2, rDiag), /qrReflectors: slot 2 is outside a store of 2 bases/);
    assert.throws(() => kernels.reflectorStep(new Float64Array(9), store, -1, rDiag), /reflectorStep: slot -1 is outside a store of 2 bases/);
    assert.throws(() => kernels.createReflectorStore(2, 3, 1), /createReflectorStore: expected integers 1 ≤ k ≤ n and count ≥ 0, got n=2, k=3, count=1/);
  }
  const store = wasm.createReflectorStore(3, 2, 1);
  assert.throws(() => other.qrReflectors(new Float64Array(6), store, 0, rDiag), /the reflector store was created by other kernels/);
  assert.throws(() => referenceKernels.reflectorStep(new Float64Array(9), store, 0, rDiag), /reflectorStep: the reflector store was created by other kernels/);
  wasm.createReflectorStore(3, 2, 1);
  assert.throws(() => wasm.reflectorStep(new Float64Array(9), store, 0, rDiag), /replaced by a later createReflectorStore/);
});

/**
 * Rows by decreasing squared norm, ties in index order, and the count of exactly-zero rows, of
 * the n×n row-major m as `kernels` sees it (float32 kernels round the entries and sum in float32).
 */
function sortOracle(kernels: LinalgKernels, m: Float64Array, n: number): { order: number[]; zero: number } {
  const round = kernels.precision === 'float32' ? Math.fround : (v: number) => v;
  const norms: number[] = [];
  let zero = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) {
      const v = round(m[i * n + j]!);
      s = round(s + round(v * v));
    }
    norms.push(s);
    if (m.subarray(i * n, (i + 1) * n).every((v) => round(v) === 0)) zero++;
  }
  return { order: norms.map((_, i) => i).sort((a, c) => norms[c]! - norms[a]! || a - c), zero };
}

/** A Jacobian with a tie (rows 1 and n − 2), zero rows, rows whose squares underflow (not zero) and graded rows. */
function gradedJacobian(rng: Rng, n: number): Float64Array {
  const m = rng.fillNormal(new Float64Array(n * n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === n - 2 && n > 3) m[i * n + j] = m[n + j]!;
      else if (i % 6 === 5) m[i * n + j] = 0;
      else if (i % 9 === 7) m[i * n + j] = 1e-200 * (j + 1);
      else m[i * n + j] = m[i * n + j]! * 10 ** ((i % 4) - 2);
    }
  }
  return m;
}

for (const kernels of KERNELS) {
  test(`${kernels.name} sortedReflectorStep: equals reflectorStep of P·M·P₀ᵀ, with P the rows by decreasing norm and the zero rows counted`, () => {
    const rng = new Rng(35);
    for (const [n, k] of [[1, 1], [3, 2], [7, 7], [9, 5], [17, 17], [64, 64], [65, 40], [130, 130]] as const) {
      // Slot 0 steps by the explicitly permuted M, slot 1 by sortedReflectorStep (wasm kernels hold one store).
      const store = kernels.createReflectorStore(n, k, 2);
      const z0 = rng.fillNormal(new Float64Array(n * k));
      const rDiag = new Float64Array(k);
      kernels.qrReflectors(z0.slice(), store, 0, rDiag);
      kernels.qrReflectors(z0.slice(), store, 1, rDiag);
      // P₀: the reversed rows (any permutation: the stored basis is in its coordinates).
      const order = Int32Array.from({ length: n }, (_, i) => n - 1 - i);
      for (let step = 0; step < 2; step++) {
        const m = gradedJacobian(rng, n);
        const previous = Array.from(order);
        const want = sortOracle(kernels, m, n);
        const permuted = new Float64Array(n * n);
        for (let p = 0; p < n; p++) for (let c = 0; c < n; c++) permuted[p * n + c] = m[want.order[p]! * n + previous[c]!]!;
        const expected = new Float64Array(k);
        kernels.reflectorStep(permuted, store, 0, expected);
        const zero = kernels.sortedReflectorStep(m.slice(), store, 1, rDiag, order);
        assert.deepEqual(Array.from(order), want.order, `${n}×${k} step ${step}: row order`);
        assert.equal(zero, want.zero, `${n}×${k} step ${step}: zero rows`);
        assert.deepEqual(Array.from(rDiag), Array.from(expected), `${n}×${k} step ${step}: |R_jj| of the same arithmetic`);
      }
    }
  });
}

test('sortedReflectorStep: a short order is a named error', () => {
  for (const kernels of KERNELS) {
    const store = kernels.createReflectorStore(3, 2, 1);
    assert.throws(() => kernels.sortedReflectorStep(new Float64Array(9), store, 0, new Float64Array(2), new Int32Array(2)),
      /sortedReflectorStep: order holds 2 entries, expected at least n = 3/);
  }
});

/** Σ_g diag(coef_g)·W_g (+ diag(d)) by plain loops over the terms whose coefficient is not 0, in gate order. */
function formedOracle(weight: Float64Array, gates: number, n: number, coef: Float64Array, diagonal: Float64Array | null): Float64Array {
  const m = new Float64Array(n * n);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < n; j++) {
      let s: number | null = null;
      for (let g = 0; g < gates; g++) {
        const c = coef[g * n + r]!;
        if (c === 0) continue;
        const term = c * weight[(g * n + r) * n + j]!;
        s = s === null ? term : s + term;
      }
      m[r * n + j] = s ?? 0;
    }
    if (diagonal !== null) m[r * n + r] = m[r * n + r]! + diagonal[r]!;
  }
  return m;
}

for (const kernels of KERNELS) {
  test(`${kernels.name} formedReflectorStep: equals sortedReflectorStep of the formed matrix (terms skipped where the coefficient is 0)`, () => {
    const rng = new Rng(36);
    for (const [n, k, gates] of [[1, 1, 1], [5, 3, 3], [9, 9, 4], [17, 12, 2], [64, 64, 3], [65, 65, 1]] as const) {
      const store = kernels.createReflectorStore(n, k, 2);
      const z0 = rng.fillNormal(new Float64Array(n * k));
      const rDiag = new Float64Array(k);
      kernels.qrReflectors(z0.slice(), store, 0, rDiag);
      kernels.qrReflectors(z0.slice(), store, 1, rDiag);
      const weight = rng.fillNormal(new Float64Array(gates * n * n));
      kernels.setFormedWeight(store, weight, gates);
      const orders = [0, 1].map(() => Int32Array.from({ length: n }, (_, i) => n - 1 - i));
      for (const withDiagonal of [true, false]) {
        const coef = rng.fillNormal(new Float64Array(gates * n));
        // Some terms absent, and row 2 (when there is one) with none at all.
        for (let i = 0; i < coef.length; i += 3) coef[i] = 0;
        for (let g = 0; g < gates && n > 2; g++) coef[g * n + 2] = 0;
        const diagonal = withDiagonal ? rng.fillNormal(new Float64Array(n)) : null;
        const expected = new Float64Array(k);
        const wantZero = kernels.sortedReflectorStep(formedOracle(weight, gates, n, coef, diagonal), store, 0, expected, orders[0]!);
        const zero = kernels.formedReflectorStep(coef, diagonal, store, 1, rDiag, orders[1]!);
        assert.equal(zero, wantZero, `${n}×${k}, G = ${gates}: zero rows`);
        assert.deepEqual(Array.from(orders[1]!), Array.from(orders[0]!), `${n}×${k}, G = ${gates}: row order`);
        if (kernels.precision === 'float64') assert.deepEqual(Array.from(rDiag), Array.from(expected), `${n}×${k}, G = ${gates}: the same bits`);
        else assertRelative(`${n}×${k}, G = ${gates}`, rDiag, expected, 1e-4);
      }
    }
  });
}

test('formedReflectorStep: no weight, a weight of the wrong size and a weight set for another store are named errors', () => {
  for (const kernels of KERNELS) {
    const store = kernels.createReflectorStore(3, 2, 1);
    const args = [new Float64Array(6), null, store, 0, new Float64Array(2), new Int32Array(3)] as const;
    assert.throws(() => kernels.formedReflectorStep(...args), /formedReflectorStep: no weight set for this store \(call setFormedWeight first\)/);
    assert.throws(() => kernels.setFormedWeight(store, new Float64Array(17), 2), /setFormedWeight: weight holds 17 doubles, expected gates·n·n = 18/);
    assert.throws(() => kernels.setFormedWeight(store, new Float64Array(45), 5), /setFormedWeight: gates must be an integer from 1 to 4, got 5/);
    kernels.setFormedWeight(store, new Float64Array(18), 2);
    assert.throws(() => kernels.formedReflectorStep(new Float64Array(5), null, store, 0, new Float64Array(2), new Int32Array(3)),
      /formedReflectorStep: coef holds 5 doubles, expected at least gates·n = 6/);
    const next = kernels.createReflectorStore(3, 2, 1);
    assert.throws(() => kernels.formedReflectorStep(new Float64Array(6), null, next, 0, new Float64Array(2), new Int32Array(3)), /no weight set for this store/);
  }
});
