import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type LinalgKernels, referenceKernels, Rng, createKernels, randomOrthonormal } from '../src/linalg/index.js';
import { orthogonalityError } from './linalg.helpers.js';

// Column norms far outside the range where a plain sum of squares works (its squares underflow
// below ~1e-154 and overflow above ~1e154 in float64; ~1e-19 and ~1e19 in float32). The oracle is
// the QR's scale covariance: for D = diag(d) with d_j > 0, Z·D = Q·(R·D), so the scaled block has
// the same Q and R_jj·d_j. Every entry point (qrPositive, qrReflectors, reflectorStep), the js
// reference and the wasm kernels in float64 and float32.

const KERNELS: LinalgKernels[] = [referenceKernels, createKernels('wasm'), createKernels('wasm', { precision: 'float32' })];
const isF32 = (kernels: LinalgKernels) => kernels.precision === 'float32';
/** Tiny and huge scales each precision can hold with room for a block's R (f32 holds 1.2e-38 … 3.4e38). */
const scales = (kernels: LinalgKernels): readonly (readonly [number, number])[] =>
  isF32(kernels) ? [[1e-30, 1e30], [1e-35, 1e35]] : [[1e-200, 1e200], [1e-300, 1e300]];
/** Agreement of Q (absolute) and of R_jj (relative): a few ulps times the block size. */
const tolerance = (kernels: LinalgKernels) => (isF32(kernels) ? 1e-5 : 1e-14);
const SHAPES = [[1, 1], [5, 3], [20, 13], [33, 33], [64, 64], [130, 97]] as const;

/** U·T, U Haar orthonormal n×k, T upper triangular with diagonal in [1, 2] and small entries above: condition number a few. */
function wellConditioned(rng: Rng, n: number, k: number): Float64Array {
  const u = randomOrthonormal(referenceKernels, rng, n, k);
  const z = new Float64Array(n * k);
  for (let j = 0; j < k; j++) {
    for (let p = 0; p <= j; p++) {
      const t = p === j ? 1 + rng.uniform() : (0.3 * rng.normal()) / Math.sqrt(k);
      for (let c = 0; c < n; c++) z[j * n + c] = z[j * n + c]! + u[p * n + c]! * t;
    }
  }
  return z;
}

/** Column j of z times d[j]. */
function scaleColumns(z: Float64Array, n: number, d: readonly number[]): Float64Array {
  return z.map((v, i) => v * d[Math.floor(i / n)]!);
}

/** The scalings tested on a block of k columns: the whole block tiny, the whole block huge, and columns cycling tiny, 1, huge. */
function scalings(kernels: LinalgKernels, k: number): { name: string; d: number[] }[] {
  return scales(kernels).flatMap(([tiny, huge]) => [
    { name: `all ×${tiny}`, d: new Array<number>(k).fill(tiny) },
    { name: `all ×${huge}`, d: new Array<number>(k).fill(huge) },
    { name: `columns ×${tiny}, 1, ${huge}`, d: Array.from({ length: k }, (_, j) => [tiny, 1, huge][j % 3]!) },
  ]);
}

function identity(n: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;
  return m;
}

/** 2I + G/√n, G Gaussian: a well-conditioned n×n row-major matrix to multiply a stored basis by. */
function wellConditionedSquare(rng: Rng, n: number): Float64Array {
  const m = rng.fillNormal(new Float64Array(n * n), 1 / Math.sqrt(n));
  for (let i = 0; i < n; i++) m[i * n + i] = m[i * n + i]! + 2;
  return m;
}

function assertScaledR(name: string, got: Float64Array, unscaled: Float64Array, d: readonly number[], bound: number): void {
  for (let j = 0; j < got.length; j++) {
    const want = unscaled[j]! * d[j]!;
    assert.ok(Number.isFinite(got[j]!) && Math.abs(got[j]! - want) <= bound * want,
      `${name}: R_${j}${j} = ${got[j]}, expected ${unscaled[j]} × ${d[j]} = ${want} (relative error ${Math.abs(got[j]! - want) / want})`);
  }
}

function assertSameR(name: string, got: Float64Array, want: Float64Array, bound: number): void {
  for (let j = 0; j < want.length; j++) {
    assert.ok(Math.abs(got[j]! - want[j]!) <= bound * want[j]!, `${name}: |R_${j}${j}| = ${got[j]}, expected ${want[j]}`);
  }
}

for (const kernels of KERNELS) {
  const tol = tolerance(kernels);

  test(`${kernels.name} qrPositive: tiny and huge columns keep their direction and scale R_jj`, () => {
    const rng = new Rng(41);
    for (const [n, k] of SHAPES) {
      const z = wellConditioned(rng, n, k);
      const q = z.slice();
      const r = new Float64Array(k);
      kernels.qrPositive(q, n, k, r);
      for (const { name, d } of scalings(kernels, k)) {
        const label = `${n}×${k} ${name}`;
        const qs = scaleColumns(z, n, d);
        const rs = new Float64Array(k);
        kernels.qrPositive(qs, n, k, rs);
        assertScaledR(label, rs, r, d, tol);
        let worst = 0;
        for (let i = 0; i < n * k; i++) worst = Math.max(worst, Math.abs(qs[i]! - q[i]!));
        assert.ok(worst <= tol, `${label}: max |Q − Q of the unscaled block| = ${worst}`);
        assert.ok(orthogonalityError(qs, n, k) <= 10 * tol, `${label}: ‖QᵀQ − I‖ = ${orthogonalityError(qs, n, k)}`);
      }
    }
  });

  test(`${kernels.name} qrReflectors: tiny and huge columns keep their direction and scale R_jj`, () => {
    const rng = new Rng(42);
    for (const [n, k] of SHAPES) {
      const z = wellConditioned(rng, n, k);
      const m = wellConditionedSquare(rng, n);
      const store = kernels.createReflectorStore(n, k, 2);
      const r = new Float64Array(k);
      kernels.qrReflectors(z.slice(), store, 0, r);
      const step = new Float64Array(k);
      kernels.reflectorStep(m.slice(), store, 0, step);
      for (const { name, d } of scalings(kernels, k)) {
        const label = `${n}×${k} ${name}`;
        const rs = new Float64Array(k);
        kernels.qrReflectors(scaleColumns(z, n, d), store, 1, rs);
        assertScaledR(label, rs, r, d, tol);
        // The stored bases are the same Q exactly when M·Q has the same |R_jj| for a well-conditioned M.
        const stepScaled = new Float64Array(k);
        kernels.reflectorStep(m.slice(), store, 1, stepScaled);
        assertSameR(`${label}, then M·Q`, stepScaled, step, 10 * tol);
        kernels.reflectorStep(identity(n), store, 1, stepScaled);
        assertSameR(`${label}, then I·Q`, stepScaled, new Float64Array(k).fill(1), 10 * tol);
      }
    }
  });

  test(`${kernels.name} reflectorStep: a tiny or huge M scales R_jj and leaves the basis`, () => {
    const rng = new Rng(43);
    for (const [n, k] of SHAPES) {
      const z = wellConditioned(rng, n, k);
      const m = wellConditionedSquare(rng, n);
      const m2 = wellConditionedSquare(rng, n);
      const store = kernels.createReflectorStore(n, k, 2);
      const r = new Float64Array(k);
      kernels.qrReflectors(z.slice(), store, 0, r);
      kernels.reflectorStep(m.slice(), store, 0, r);
      const next = new Float64Array(k);
      kernels.reflectorStep(m2.slice(), store, 0, next);
      for (const s of scales(kernels).flat()) {
        const label = `${n}×${k} M ×${s}`;
        const rs = new Float64Array(k);
        kernels.qrReflectors(z.slice(), store, 1, rs);
        kernels.reflectorStep(m.map((v) => v * s), store, 1, rs);
        assertScaledR(label, rs, r, new Array<number>(k).fill(s), tol);
        kernels.reflectorStep(m2.slice(), store, 1, rs);
        assertSameR(`${label}, then M₂·Q`, rs, next, 10 * tol);
      }
    }
  });

  test(`${kernels.name}: an exactly zero column among tiny and huge ones still gives R_jj = 0 and an orthonormal Q`, () => {
    const rng = new Rng(44);
    const [tiny, huge] = scales(kernels)[0]!;
    for (const [n, k, zero] of [[6, 4, 1], [40, 30, 9], [64, 64, 63]] as const) {
      const d = Array.from({ length: k }, (_, j) => (j === zero ? 0 : [tiny, 1, huge][j % 3]!));
      const z = scaleColumns(wellConditioned(rng, n, k), n, d);
      const q = z.slice();
      const r = new Float64Array(k).fill(Number.NaN);
      kernels.qrPositive(q, n, k, r);
      assert.equal(r[zero], 0, `qrPositive ${n}×${k}: R_${zero}${zero}`);
      assert.ok(r.every((v, j) => j === zero || (Number.isFinite(v) && v > 0)), `qrPositive ${n}×${k}: rDiag ${r}`);
      assert.ok(orthogonalityError(q, n, k) <= 10 * tol, `qrPositive ${n}×${k}: ‖QᵀQ − I‖ = ${orthogonalityError(q, n, k)}`);

      const store = kernels.createReflectorStore(n, k, 1);
      kernels.qrReflectors(z.slice(), store, 0, r);
      assert.equal(r[zero], 0, `qrReflectors ${n}×${k}: R_${zero}${zero}`);
      assert.ok(r.every((v, j) => j === zero || (Number.isFinite(v) && v > 0)), `qrReflectors ${n}×${k}: rDiag ${r}`);
      kernels.reflectorStep(identity(n), store, 0, r);
      assertSameR(`qrReflectors ${n}×${k}, then I·Q`, r, new Float64Array(k).fill(1), 10 * tol);

      // M = 0: every column of M·Q is zero; the basis becomes I[:, :k] (all H = I), still orthonormal.
      kernels.reflectorStep(new Float64Array(n * n), store, 0, r);
      assert.ok(r.every((v) => v === 0), `reflectorStep of M = 0: rDiag ${r}`);
      kernels.reflectorStep(identity(n), store, 0, r);
      assertSameR(`reflectorStep ${n}×${k} after M = 0, then I·Q`, r, new Float64Array(k).fill(1), 10 * tol);
    }
  });
}
