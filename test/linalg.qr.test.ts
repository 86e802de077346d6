import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type LinalgKernels, referenceKernels, Rng, createKernels } from '../src/linalg/index.js';
import { orthogonalityError, rFromQ } from './linalg.helpers.js';

// QR invariants from the definition, for every backend: QᵀQ = I, R = QᵀZ upper triangular with
// diag R = rDiag > 0, and Q·R = Z. R is rebuilt from Q and Z here, independently of the kernel.
const BACKENDS: LinalgKernels[] = [referenceKernels, createKernels('wasm')];


interface Factorisation { q: Float64Array; rDiag: Float64Array }

function factor(kernels: LinalgKernels, z: Float64Array, n: number, k: number): Factorisation {
  const q = z.slice();
  const rDiag = new Float64Array(k).fill(Number.NaN);
  kernels.qrPositive(q, n, k, rDiag);
  return { q, rDiag };
}

/** Checks R = QᵀZ against the factorisation; tolerances relative to the largest |Z| entry. */
function assertFactorisation(name: string, z: Float64Array, n: number, k: number, { q, rDiag }: Factorisation): void {
  const scale = z.reduce((m, v) => Math.max(m, Math.abs(v)), 0) * Math.sqrt(n);
  assert.ok(orthogonalityError(q, n, k) <= 1e-12, `${name}: ‖QᵀQ − I‖ = ${orthogonalityError(q, n, k)}`);
  const r = rFromQ(q, z, n, k); // r[i + j·k] = q_i · z_j
  for (let j = 0; j < k; j++) {
    assert.ok(rDiag[j]! >= 0, `${name}: rDiag[${j}] = ${rDiag[j]} is not ≥ 0`);
    assert.ok(Math.abs(r[j + j * k]! - rDiag[j]!) <= 1e-12 * scale, `${name}: R[${j},${j}] = ${r[j + j * k]} but rDiag = ${rDiag[j]}`);
    for (let i = j + 1; i < k; i++) {
      assert.ok(Math.abs(r[i + j * k]!) <= 1e-12 * scale, `${name}: R[${i},${j}] = ${r[i + j * k]} below the diagonal`);
    }
  }
  let worst = 0;
  for (let j = 0; j < k; j++) {
    for (let c = 0; c < n; c++) {
      let s = 0;
      for (let i = 0; i <= j; i++) s += q[i * n + c]! * r[i + j * k]!;
      worst = Math.max(worst, Math.abs(s - z[j * n + c]!));
    }
  }
  assert.ok(worst <= 1e-12 * scale, `${name}: ‖QR − Z‖ = ${worst}`);
}

/** U·diag(σ)·Vᵀ with σ from 1 down to 1/condition geometrically, U and V Haar random. */
function gradedBlock(rng: Rng, n: number, k: number, condition: number): Float64Array {
  const u = rng.fillNormal(new Float64Array(n * k));
  referenceKernels.qrPositive(u, n, k, new Float64Array(k));
  const v = rng.fillNormal(new Float64Array(k * k));
  referenceKernels.qrPositive(v, k, k, new Float64Array(k));
  const z = new Float64Array(n * k);
  for (let p = 0; p < k; p++) {
    const sigma = condition ** (-p / Math.max(1, k - 1));
    for (let j = 0; j < k; j++) {
      const f = sigma * v[p * k + j]!; // V[j, p], V's columns stored contiguously
      for (let c = 0; c < n; c++) z[j * n + c] = z[j * n + c]! + u[p * n + c]! * f;
    }
  }
  return z;
}

for (const kernels of BACKENDS) {
  test(`${kernels.name} qrPositive: random Gaussian blocks`, () => {
    const rng = new Rng(11);
    for (const [n, k] of [[1, 1], [5, 1], [7, 7], [33, 17], [64, 64], [70, 41], [129, 100]] as const) {
      const z = rng.fillNormal(new Float64Array(n * k));
      assertFactorisation(`${n}×${k}`, z, n, k, factor(kernels, z, n, k));
    }
  });

  test(`${kernels.name} qrPositive: condition number 1e10`, () => {
    const rng = new Rng(12);
    for (const [n, k] of [[40, 40], [97, 60], [160, 150]] as const) {
      const z = gradedBlock(rng, n, k, 1e10);
      assertFactorisation(`graded ${n}×${k}`, z, n, k, factor(kernels, z, n, k));
    }
  });

  test(`${kernels.name} qrPositive: nearly parallel columns`, () => {
    const rng = new Rng(13);
    const [n, k] = [90, 50];
    const base = rng.fillNormal(new Float64Array(n));
    const z = new Float64Array(n * k);
    for (let j = 0; j < k; j++) for (let c = 0; c < n; c++) z[j * n + c] = base[c]! + 1e-10 * rng.normal();
    const f = factor(kernels, z, n, k);
    assertFactorisation('nearly parallel', z, n, k, f);
    assert.ok(f.rDiag[k - 1]! < 1e-8 * f.rDiag[0]!, 'the later columns carry only the 1e-10 perturbation');
  });

  test(`${kernels.name} qrPositive: a zero column gives R_jj = 0 and an orthonormal Q`, () => {
    const rng = new Rng(14);
    for (const [n, k, zero] of [[6, 4, 0], [50, 50, 17], [300, 70, 69]] as const) {
      const z = rng.fillNormal(new Float64Array(n * k));
      z.fill(0, zero * n, (zero + 1) * n);
      const f = factor(kernels, z, n, k);
      assert.equal(f.rDiag[zero], 0, `${n}×${k}: R[${zero},${zero}]`);
      assertFactorisation(`zero column ${zero} of ${n}×${k}`, z, n, k, f);
    }
  });

  test(`${kernels.name} qrPositive: identity-like block with a zero column needs a later axis`, () => {
    // Columns e_0..e_2 then a zero column: axes 0..2 are taken, the replacement must be found further on.
    const [n, k] = [8, 4];
    const z = new Float64Array(n * k);
    for (let j = 0; j < 3; j++) z[j * n + j] = 2;
    const f = factor(kernels, z, n, k);
    assert.deepEqual(Array.from(f.rDiag), [2, 2, 2, 0]);
    assertFactorisation('axes', z, n, k, f);
  });

  test(`${kernels.name} qrPositive: a NaN entry shows in rDiag instead of vanishing`, () => {
    const rng = new Rng(15);
    const [n, k] = [20, 12];
    const z = rng.fillNormal(new Float64Array(n * k));
    z[5 * n + 3] = Number.NaN;
    const { rDiag } = factor(kernels, z, n, k);
    assert.ok(Number.isNaN(rDiag[5]), `rDiag[5] = ${rDiag[5]}`);
    for (let j = 0; j < 5; j++) assert.ok(rDiag[j]! > 0, `columns before the NaN are unaffected: rDiag[${j}] = ${rDiag[j]}`);
  });

  test(`${kernels.name} qrPositive: k > n is rejected`, () => {
    assert.throws(() => kernels.qrPositive(new Float64Array(6), 2, 3, new Float64Array(3)), /k=3 exceeds n=2/);
  });
}
