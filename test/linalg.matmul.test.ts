import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type LinalgKernels, referenceKernels, Rng, createKernels } from '../src/linalg/index.js';
import { naiveProduct } from './linalg.helpers.js';

const BACKENDS: LinalgKernels[] = [referenceKernels, createKernels('wasm')];

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

for (const kernels of [...BACKENDS, createKernels('wasm', { precision: 'float32' })]) {
  test(`${kernels.name} matmulBlock with a layout: blocks inside larger arrays, the rest of out untouched`, () => {
    const rng = new Rng(23);
    const tolerance = kernels.precision === 'float32' ? 1e-4 : 1e-12;
    for (const [m, n, k, ldx, ldo, xOffset, outOffset] of [
      [3, 2, 4, 5, 7, 1, 2], [8, 8, 16, 16, 16, 0, 8], [5, 9, 1, 9, 5, 3, 0], [16, 8, 11, 24, 16, 16, 0],
    ] as const) {
      const a = rng.fillNormal(new Float64Array(m * n));
      const x = rng.fillNormal(new Float64Array(xOffset + (k - 1) * ldx + n + 3));
      const before = rng.fillNormal(new Float64Array(outOffset + (k - 1) * ldo + m + 2));
      const packedX = new Float64Array(n * k);
      for (let j = 0; j < k; j++) for (let c = 0; c < n; c++) packedX[c + j * n] = x[xOffset + j * ldx + c]!;
      const product = naiveProduct(a, m, n, packedX, k);
      for (const accumulate of [false, true]) {
        const out = before.slice();
        kernels.matmulBlock(a, m, n, x, k, out, accumulate, { xOffset, ldx, outOffset, ldo });
        const name = `${m}×${n}·${n}×${k} ldx=${ldx} ldo=${ldo} accumulate=${accumulate}`;
        for (let e = 0; e < out.length; e++) {
          const j = Math.floor((e - outOffset) / ldo);
          const i = e - outOffset - j * ldo;
          const inBlock = e >= outOffset && j < k && i < m;
          const want = inBlock ? product[i + j * m]! + (accumulate ? before[e]! : 0) : before[e]!;
          assert.ok(Math.abs(out[e]! - want) <= tolerance * (1 + Math.abs(want)), `${name}: out[${e}] = ${out[e]}, expected ${want}${inBlock ? '' : ' (outside the block)'}`);
        }
      }
    }
  });

  test(`${kernels.name} matmulBlock: X and out may be different rows of one array`, () => {
    const rng = new Rng(24);
    const [rows, k, m, n] = [12, 5, 4, 6]; // rows 0..5 are X, rows 6..9 receive out, rows 10..11 stay
    const block = rng.fillNormal(new Float64Array(rows * k));
    const a = rng.fillNormal(new Float64Array(m * n));
    const packedX = new Float64Array(n * k);
    for (let j = 0; j < k; j++) for (let c = 0; c < n; c++) packedX[c + j * n] = block[j * rows + c]!;
    const product = naiveProduct(a, m, n, packedX, k);
    const out = block.slice();
    kernels.matmulBlock(a, m, n, out, k, out, false, { xOffset: 0, ldx: rows, outOffset: n, ldo: rows });
    const tolerance = kernels.precision === 'float32' ? 1e-4 : 1e-12;
    for (let j = 0; j < k; j++) {
      for (let r = 0; r < rows; r++) {
        const want = r >= n && r < n + m ? product[r - n + j * m]! : block[j * rows + r]!;
        assert.ok(Math.abs(out[j * rows + r]! - want) <= tolerance * (1 + Math.abs(want)), `row ${r} of column ${j}: ${out[j * rows + r]}, expected ${want}`);
      }
    }
  });
}

test('matmulBlock rejects a layout whose blocks do not fit, naming the field', () => {
  for (const kernels of BACKENDS) {
    const a = new Float64Array(4);
    assert.throws(() => kernels.matmulBlock(a, 2, 2, new Float64Array(8), 2, new Float64Array(8), false, { xOffset: 0, ldx: 1, outOffset: 0, ldo: 2 }),
      /matmulBlock: layout.ldx = 1 is shorter than a column of X \(n = 2\)/);
    assert.throws(() => kernels.matmulBlock(a, 2, 2, new Float64Array(8), 2, new Float64Array(8), false, { xOffset: 5, ldx: 2, outOffset: 0, ldo: 2 }),
      /matmulBlock: x holds 8 doubles, expected at least xOffset \+ \(k−1\)·ldx \+ n = 9/);
    assert.throws(() => kernels.matmulBlock(a, 2, 2, new Float64Array(8), 2, new Float64Array(8), false, { xOffset: 0, ldx: 2, outOffset: -1, ldo: 2 }),
      /matmulBlock: layout.outOffset must be a non-negative integer, got -1/);
  }
});
