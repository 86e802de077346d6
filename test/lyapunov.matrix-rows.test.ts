// rowsByDecreasingNorm's own merge sort and fused zero-row count against independent oracles:
// Array.prototype.sort with the (norm desc, index asc) comparator, and an entry-by-entry scan.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../src/linalg/index.js';
import { rowsByDecreasingNorm } from '../src/linalg/matrix-rows.js';

/** Row norms by plain summation and the order a comparator sort gives. */
function oracle(m: Float64Array, n: number, k: number, rowStride: number, colStride: number): { order: number[]; zero: number } {
  const norms: number[] = [];
  let zero = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    let allZero = true;
    for (let j = 0; j < k; j++) {
      const v = m[i * rowStride + j * colStride]!;
      s += v * v;
      if (v !== 0) allZero = false;
    }
    norms.push(s);
    if (allZero) zero++;
  }
  const order = norms.map((_, i) => i).sort((a, c) => norms[c]! - norms[a]! || a - c);
  return { order, zero };
}

for (const [n, k] of [[1, 1], [3, 2], [7, 7], [64, 64], [65, 13], [130, 130]] as const) {
  for (const layout of ['row-major', 'column-major'] as const) {
    test(`rowsByDecreasingNorm: n = ${n}, k = ${k}, ${layout}, with ties, zero rows and rows whose squares underflow`, () => {
      const rng = new Rng(n * 1000 + k);
      const [rowStride, colStride] = layout === 'row-major' ? [k, 1] : [1, n];
      const m = rng.fillNormal(new Float64Array(n * k));
      // Rows 0 and n − 1 equal (a tie), every fifth row zero, every seventh row of 1e-200 (norm² = 0, not a zero row).
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < k; j++) {
          const at = i * rowStride + j * colStride;
          if (i === n - 1 && n > 1) m[at] = m[j * colStride]!;
          else if (i % 5 === 4) m[at] = 0;
          else if (i % 7 === 6) m[at] = 1e-200 * (j + 1);
        }
      }
      const order = new Int32Array(n);
      const zero = rowsByDecreasingNorm(m, n, k, rowStride, colStride, order, new Float64Array(n), new Int32Array(n));
      const expected = oracle(m, n, k, rowStride, colStride);
      assert.deepEqual(Array.from(order), expected.order);
      assert.equal(zero, expected.zero);
    });
  }
}
