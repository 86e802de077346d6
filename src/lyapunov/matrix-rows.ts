// Row statistics of a matrix in any layout (column-major blocks, row-major Jacobians), for the
// orthonormalisation's annihilated-direction rule and its row sorting.

/**
 * order = the rows of an n-row matrix (k columns, entry (i, j) at i·rowStride + j·colStride) by
 * decreasing norm, ties in index order; norms: n scratch entries.
 */
export function rowsByDecreasingNorm(
  m: Float64Array, n: number, k: number, rowStride: number, colStride: number, order: Int32Array, norms: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) {
      const v = m[i * rowStride + j * colStride]!;
      s += v * v;
    }
    order[i] = i;
    norms[i] = s;
  }
  order.sort((a, c) => norms[c]! - norms[a]! || a - c);
}

/**
 * Rows of an n-row matrix (k columns, entry (i, j) at offset + i·rowStride + j·colStride) that
 * are exactly zero.
 */
export function countZeroRows(m: Float64Array, n: number, k: number, rowStride: number, colStride: number, offset = 0): number {
  let zero = 0;
  for (let i = 0; i < n; i++) {
    let j = 0;
    const o = offset + i * rowStride;
    while (j < k && m[o + j * colStride] === 0) j++;
    if (j === k) zero++;
  }
  return zero;
}
