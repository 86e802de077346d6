import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { OptionError } from '../src/errors.js';
import { type LinalgKernels, referenceKernels, Rng, createKernels, WasmFloat32Kernels, WasmKernels } from '../src/linalg/index.js';
import { orthogonalityError, rFromQ } from './linalg.helpers.js';

// The float32 wasm kernels against float64 mathematics: error bounds from floating-point analysis
// with float32's unit roundoff, never from the kernels' own outputs.
const UNIT_ROUNDOFF = 2 ** -24; // float32, round to nearest
const EPSILON = 2 ** -23; // float32 machine epsilon
/** Higham's γ_m = m·u / (1 − m·u): the relative error bound of m float32 roundings in a row. */
const gamma = (m: number) => (m * UNIT_ROUNDOFF) / (1 - m * UNIT_ROUNDOFF);

const f32 = createKernels('wasm', { precision: 'float32' });

test('createKernels: float32 gives the wasm-f32 kernels; the js backend and unknown precisions are refused', () => {
  assert.ok(f32 instanceof WasmFloat32Kernels, 'build/kernels.wasm must be built (node scripts/build-wasm.mjs)');
  assert.equal(f32.name, 'wasm-f32');
  assert.ok(createKernels('wasm', { precision: 'float64' }) instanceof WasmKernels);
  assert.equal(createKernels('js', { precision: 'float64' }), referenceKernels);
  assert.throws(() => createKernels('js', { precision: 'float32' }),
    (error: unknown) => error instanceof OptionError && /precision 'float32' needs the wasm backend/.test(error.message));
  assert.throws(() => createKernels('wasm', { precision: 'float16' as never }),
    /precision must be one of float32, float64, got float16/);
});

test('createKernels: without build/kernels.wasm float32 throws while float64 falls back to js', async () => {
  // A copy of src/linalg (and src/errors.ts, all it imports) in a package of its own that was never
  // built (the real build/ stays in place).
  const root = mkdtempSync(join(tmpdir(), 'linalg-unbuilt-'));
  try {
    const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
    writeFileSync(join(root, 'package.json'), '{"type":"module"}\n');
    cpSync(join(src, 'linalg'), join(root, 'src', 'linalg'), { recursive: true });
    cpSync(join(src, 'errors.ts'), join(root, 'src', 'errors.ts'));
    const unbuilt = await import(pathToFileURL(join(root, 'src', 'linalg', 'backends.ts')).href) as typeof import('../src/linalg/backends.js');
    assert.throws(() => unbuilt.createKernels('wasm', { precision: 'float32' }),
      /precision 'float32' needs the WebAssembly kernels, but .*build[/\\]kernels\.wasm is missing \(build it with `node scripts\/build-wasm\.mjs`/);
    assert.equal(unbuilt.createKernels('wasm').name, 'js');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('wasm-f32 matmulBlock: within γ_{n+2}·Σ|a||x| of the exact product, and every result a float32', () => {
  const rng = new Rng(41);
  const shapes: [number, number, number][] = [[256, 512, 33], [64, 64, 64], [5, 3, 1]];
  for (let t = 0; t < 60; t++) shapes.push([1 + rng.int(70), 1 + rng.int(70), 1 + rng.int(70)]);
  for (const [m, n, k] of shapes) {
    const a = rng.fillNormal(new Float64Array(m * n));
    const x = rng.fillNormal(new Float64Array(n * k));
    const before = rng.fillNormal(new Float64Array(m * k));
    for (const accumulate of [false, true]) {
      const got = before.slice();
      f32.matmulBlock(a, m, n, x, k, got, accumulate);
      // Rounding a and x costs two roundings per product, the n-term sum n − 1 more (+1 for accumulate).
      const roundings = n + 2 + (accumulate ? 1 : 0);
      for (let j = 0; j < k; j++) {
        for (let i = 0; i < m; i++) {
          let exact = accumulate ? before[i + j * m]! : 0;
          let magnitude = Math.abs(exact);
          for (let c = 0; c < n; c++) {
            exact += a[i * n + c]! * x[j * n + c]!;
            magnitude += Math.abs(a[i * n + c]! * x[j * n + c]!);
          }
          const value = got[i + j * m]!;
          const name = `${accumulate ? 'accumulate ' : ''}${m}×${n}·${n}×${k} entry (${i}, ${j})`;
          assert.equal(Math.fround(value), value, `${name}: ${value} is not a float32 value`);
          const bound = gamma(roundings) * magnitude;
          assert.ok(Math.abs(value - exact) <= bound, `${name}: ${value} is ${Math.abs(value - exact)} from ${exact}, bound ${bound}`);
        }
      }
    }
  }
});

test('matmulBlock: a column does not depend on the other columns of the call (bitwise, every backend)', () => {
  // A batch split over worker threads must give the very same numbers: columns [0, k) in one call
  // equal columns [0, s) and [s, k) in two. Shapes cover m % 4 ≠ 0 (the row tiles' remainder), odd
  // k (the column tiles' remainder), len % 4 ≠ 0 (the vectors' scalar tail) and len = 512, where
  // the column panels (64 doubles or 128 floats wide) split the call.
  const rng = new Rng(42);
  const shapes: [number, number, number][] = [[7, 13, 9], [6, 5, 5], [4, 8, 3], [13, 31, 17], [10, 512, 150]];
  for (const kernels of [createKernels('wasm'), f32, referenceKernels] as LinalgKernels[]) {
    for (const [m, n, k] of shapes) {
      const a = rng.fillNormal(new Float64Array(m * n));
      const x = rng.fillNormal(new Float64Array(n * k));
      const before = rng.fillNormal(new Float64Array(m * k));
      for (const accumulate of [false, true]) {
        const whole = before.slice();
        kernels.matmulBlock(a, m, n, x, k, whole, accumulate);
        for (const s of new Set([1, 2, 3, k >> 1, k - 1, 129].filter((s) => s > 0 && s < k))) {
          const first = before.slice(0, s * m);
          const second = before.slice(s * m);
          kernels.matmulBlock(a, m, n, x.subarray(0, s * n), s, first, accumulate);
          kernels.matmulBlock(a, m, n, x.subarray(s * n), k - s, second, accumulate);
          const split = new Float64Array(m * k);
          split.set(first);
          split.set(second, s * m);
          assert.deepEqual(split, whole, `${kernels.name} ${m}×${n}·${n}×${k}${accumulate ? ' accumulate' : ''} split at ${s}`);
        }
      }
    }
  }
});

test('qrPositive: a block gives the same bits whatever was factored before it on the same instance', () => {
  const rng = new Rng(43);
  for (const kernels of [createKernels('wasm'), createKernels('wasm', { precision: 'float32' })]) {
    const z = rng.fillNormal(new Float64Array(40 * 24));
    const fresh = z.slice();
    const freshR = new Float64Array(24);
    kernels.qrPositive(fresh, 40, 24, freshR);
    for (const [n, k] of [[300, 200], [17, 5], [40, 24]] as const) {
      kernels.qrPositive(rng.fillNormal(new Float64Array(n * k)), n, k, new Float64Array(k));
    }
    const again = z.slice();
    const againR = new Float64Array(24);
    kernels.qrPositive(again, 40, 24, againR);
    assert.deepEqual(again, fresh, `${kernels.name}: Q`);
    assert.deepEqual(againR, freshR, `${kernels.name}: rDiag`);
  }
});


/**
 * Householder QR is backward stable: Q is orthonormal to c·n·ε and Z = Q·R + ΔZ with
 * ‖ΔZ‖ ≤ c·n·ε·‖Z‖ (Higham, Thm 19.4). Checked with c = 1: ‖QᵀQ − I‖ ≤ n·ε; R = QᵀZ (in float64)
 * is upper triangular and has rDiag > 0 on its diagonal to n·ε·scale; and QR − Z ≤ n·ε·scale,
 * scale = max|Z|·√n ≥ ‖Z‖'s columns.
 */
function assertBackwardStable(name: string, z: Float64Array, n: number, k: number, q: Float64Array, rDiag: Float64Array): void {
  const tolerance = n * EPSILON;
  const scale = z.reduce((m, v) => Math.max(m, Math.abs(v)), 0) * Math.sqrt(n);
  const orthogonality = orthogonalityError(q, n, k);
  assert.ok(orthogonality <= tolerance, `${name}: ‖QᵀQ − I‖ = ${orthogonality} > n·ε = ${tolerance}`);
  const r = rFromQ(q, z, n, k); // r[i + j·k] = q_i · z_j
  for (let j = 0; j < k; j++) {
    assert.ok(rDiag[j]! >= 0, `${name}: rDiag[${j}] = ${rDiag[j]} is not ≥ 0`);
    assert.equal(Math.fround(rDiag[j]!), rDiag[j], `${name}: rDiag[${j}] = ${rDiag[j]} is not a float32 value`);
    assert.ok(Math.abs(r[j + j * k]! - rDiag[j]!) <= tolerance * scale, `${name}: R[${j},${j}] = ${r[j + j * k]} but rDiag = ${rDiag[j]}`);
    for (let i = j + 1; i < k; i++) {
      assert.ok(Math.abs(r[i + j * k]!) <= tolerance * scale, `${name}: R[${i},${j}] = ${r[i + j * k]} below the diagonal`);
    }
  }
  let residual = 0;
  for (let j = 0; j < k; j++) {
    for (let c = 0; c < n; c++) {
      let s = 0;
      for (let i = 0; i <= j; i++) s += q[i * n + c]! * r[i + j * k]!;
      residual = Math.max(residual, Math.abs(s - z[j * n + c]!));
    }
  }
  assert.ok(residual <= tolerance * scale, `${name}: ‖QR − Z‖ = ${residual} > n·ε·scale = ${tolerance * scale}`);
}

function factor(kernels: LinalgKernels, z: Float64Array, n: number, k: number): { q: Float64Array; rDiag: Float64Array } {
  const q = z.slice();
  const rDiag = new Float64Array(k).fill(Number.NaN);
  kernels.qrPositive(q, n, k, rDiag);
  return { q, rDiag };
}

test('wasm-f32 qrPositive on Gaussian blocks: backward stable in float32, rDiag within n·ε of float64', () => {
  const rng = new Rng(44);
  const shapes: [number, number][] = [[1, 1], [5, 1], [7, 7], [33, 17], [64, 64], [70, 41], [129, 100], [256, 256], [300, 150]];
  for (let n = 2; n <= 40; n += 1 + rng.int(5)) shapes.push([n, 1 + rng.int(n)]);
  for (const [n, k] of shapes) {
    const z = rng.fillNormal(new Float64Array(n * k));
    const { q, rDiag } = factor(f32, z, n, k);
    assertBackwardStable(`${n}×${k}`, z, n, k, q, rDiag);
    const reference = factor(referenceKernels, z, n, k);
    const scale = z.reduce((m, v) => Math.max(m, Math.abs(v)), 0) * Math.sqrt(n);
    for (let j = 0; j < k; j++) {
      const difference = Math.abs(rDiag[j]! - reference.rDiag[j]!);
      assert.ok(difference <= n * EPSILON * scale, `${n}×${k}: rDiag[${j}] = ${rDiag[j]}, float64 reference ${reference.rDiag[j]}`);
    }
  }
});

test('wasm-f32 qrPositive: Q stays orthonormal for a block of condition number 1e10', () => {
  // U·diag(σ)·Vᵀ with σ from 1 down to 1e-10 geometrically, U and V Haar random (float64).
  const rng = new Rng(45);
  for (const [n, k] of [[40, 40], [97, 60], [160, 150]] as const) {
    const u = factor(referenceKernels, rng.fillNormal(new Float64Array(n * k)), n, k).q;
    const v = factor(referenceKernels, rng.fillNormal(new Float64Array(k * k)), k, k).q;
    const z = new Float64Array(n * k);
    for (let p = 0; p < k; p++) {
      const sigma = 1e10 ** (-p / Math.max(1, k - 1));
      for (let j = 0; j < k; j++) {
        const f = sigma * v[p * k + j]!;
        for (let c = 0; c < n; c++) z[j * n + c] = z[j * n + c]! + u[p * n + c]! * f;
      }
    }
    const { q, rDiag } = factor(f32, z, n, k);
    assertBackwardStable(`graded ${n}×${k}`, z, n, k, q, rDiag);
  }
});

test('wasm-f32 qrPositive: an exactly zero column gives R_jj = 0 and an orthonormal Q', () => {
  const rng = new Rng(46);
  for (const [n, k, zero] of [[6, 4, 0], [50, 50, 17], [300, 70, 69]] as const) {
    const z = rng.fillNormal(new Float64Array(n * k));
    z.fill(0, zero * n, (zero + 1) * n);
    const { q, rDiag } = factor(f32, z, n, k);
    assert.equal(rDiag[zero], 0, `${n}×${k}: R[${zero},${zero}]`);
    assertBackwardStable(`zero column ${zero} of ${n}×${k}`, z, n, k, q, rDiag);
  }
  // Columns e_0..e_2 then a zero column: exact in float32 as in float64.
  const [n, k] = [8, 4];
  const z = new Float64Array(n * k);
  for (let j = 0; j < 3; j++) z[j * n + j] = 2;
  const { q, rDiag } = factor(f32, z, n, k);
  assert.deepEqual(Array.from(rDiag), [2, 2, 2, 0]);
  assertBackwardStable('axes', z, n, k, q, rDiag);
});

test('wasm-f32 qrPositive: a NaN entry shows in rDiag instead of vanishing', () => {
  const rng = new Rng(47);
  const [n, k] = [20, 12];
  const z = rng.fillNormal(new Float64Array(n * k));
  z[5 * n + 3] = Number.NaN;
  const { rDiag } = factor(f32, z, n, k);
  assert.ok(Number.isNaN(rDiag[5]), `rDiag[5] = ${rDiag[5]}`);
  for (let j = 0; j < 5; j++) assert.ok(rDiag[j]! > 0, `columns before the NaN are unaffected: rDiag[${j}] = ${rDiag[j]}`);
});

test('wasm-f32 resident buffers: the same bits as the copying methods, on floats in wasm memory', () => {
  const rng = new Rng(48);
  const kernels = new WasmFloat32Kernels();
  const [m, n, k] = [24, 21, 19];
  const a = kernels.heap.allocateFloat32(m * n);
  const x = kernels.heap.allocateFloat32(n * k);
  const out = kernels.heap.allocateFloat32(m * k);
  const rDiag = kernels.heap.allocateFloat32(k);
  a.array.set(rng.fillNormal(new Float64Array(m * n)));
  x.array.set(rng.fillNormal(new Float64Array(n * k)));
  const want = new Float64Array(m * k);
  kernels.matmulBlock(Float64Array.from(a.array), m, n, Float64Array.from(x.array), k, want);
  kernels.matmulResident(a, m, n, x, k, out);
  assert.deepEqual(Float64Array.from(out.array), want);

  const qWant = Float64Array.from(x.array);
  const rWant = new Float64Array(k);
  kernels.qrPositive(qWant, n, k, rWant);
  kernels.reserveQr(n, k);
  kernels.qrResident(x, n, k, rDiag);
  assert.deepEqual(Float64Array.from(x.array), qWant);
  assert.deepEqual(Float64Array.from(rDiag.array), rWant);
  assert.ok(x.byteOffset % 64 === 0 && x.byteLength === 4 * n * k && !x.overlaps(rDiag));
  assert.throws(() => rDiag.slice(15, 5), /WasmFloat32Buffer\.slice: \[15, 20\) is outside a buffer of 19 floats/);
  const both = kernels.heap.allocateFloat32(n * k + m * k);
  assert.throws(() => kernels.matmulResident(a, m, n, both.slice(0, n * k), k, both.slice(n * k - 1, m * k)),
    /matmulResident: out overlaps an input/);
});

test('wasm-f32 kernels check shapes like the float64 ones', () => {
  assert.throws(() => f32.matmulBlock(new Float64Array(5), 2, 3, new Float64Array(6), 2, new Float64Array(4)),
    /matmulBlock: a holds 5 doubles, expected at least m·n = 6/);
  assert.throws(() => f32.qrPositive(new Float64Array(6), 2, 3, new Float64Array(3)), /qrPositive: k=3 exceeds n=2/);
  assert.throws(() => f32.qrPositive(new Float64Array(6), 3, 2, new Float64Array(1)),
    /qrPositive: rDiag holds 1 doubles, expected at least k = 2/);
});
