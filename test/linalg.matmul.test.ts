import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LinalgKernels } from '../src/linalg/kernels.js';
import { referenceKernels } from '../src/linalg/reference.js';
import { Rng } from '../src/linalg/random.js';
import { createKernels } from '../src/linalg/backends.js';

const BACKENDS: LinalgKernels[] = [referenceKernels, createKernels('wasm')];

/** out[i, j] = Σ_c A[i, c]·X[c, j], written from the index definitions (row-major A, column-major X and out). */
function naiveProduct(a: Float64Array, m: number, n: number, x: Float64Array, k: number): Float64Array {
  const out = new Float64Array(m * k);
  for (let c = 0; c < n; c++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < k; j++) out[i + j * m] = out[i + j * m]! + a[i * n + c]! * x[c + j * n]!;
    }
  }
  return out;
}

function assertClose(name: string, got: Float64Array, want: Float64Array, tolerance: number): void {
  assert.equal(got.length, want.length, `${name}: length`);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i]! - want[i]!) <= tolerance, `${name}: entry ${i} is ${got[i]}, expected ${want[i]}`);
  }
}

for (const kernels of BACKENDS) {
  test(`${kernels.name} matmulBlock equals the triple loop on random shapes`, () => {
    const rng = new Rng(21);
    for (let trial = 0; trial < 60; trial++) {
      const [m, n, k] = [1 + rng.int(40), 1 + rng.int(40), 1 + rng.int(40)];
      const a = rng.fillNormal(new Float64Array(m * n));
      const x = rng.fillNormal(new Float64Array(n * k));
      const out = new Float64Array(m * k).fill(Number.NaN);
      kernels.matmulBlock(a, m, n, x, k, out);
      assertClose(`${m}×${n}·${n}×${k}`, out, naiveProduct(a, m, n, x, k), 1e-12 * n);
    }
  });

  test(`${kernels.name} matmulBlock accumulates into out`, () => {
    const rng = new Rng(22);
    for (const [m, n, k] of [[1, 1, 1], [9, 13, 5], [64, 32, 130]] as const) {
      const a = rng.fillNormal(new Float64Array(m * n));
      const x = rng.fillNormal(new Float64Array(n * k));
      const before = rng.fillNormal(new Float64Array(m * k));
      const out = before.slice();
      kernels.matmulBlock(a, m, n, x, k, out, true);
      const want = naiveProduct(a, m, n, x, k).map((v, i) => v + before[i]!);
      assertClose(`accumulate ${m}×${n}·${n}×${k}`, out, want, 1e-12 * n);
    }
  });

  test(`${kernels.name} matmulBlock with an empty inner dimension writes zeros`, () => {
    const out = new Float64Array(6).fill(7);
    kernels.matmulBlock(new Float64Array(0), 2, 0, new Float64Array(0), 3, out);
    assert.deepEqual(Array.from(out), [0, 0, 0, 0, 0, 0]);
  });
}
