// Row statistics of a matrix in any layout (column-major blocks, row-major Jacobians), for the
// orthonormalisation's annihilated-direction rule and its row sorting (src/lyapunov), and the
// gather into the reflectors' order of the js twin of sortedReflectorStep (reference.ts; the
// WebAssembly one is asm/sorted-rows.ts).

/**
 * order = the rows of an n-row matrix (k columns, entry (i, j) at i·rowStride + j·colStride) by
 * decreasing norm, ties in index order; norms and scratch: n entries each. Returns how many rows
 * are exactly zero (the count `countZeroRows` gives), found in the same pass: only a row whose
 * squared norm is 0 is checked entry by entry (tiny entries can square to 0).
 */
export function rowsByDecreasingNorm(
  m: Float64Array, n: number, k: number, rowStride: number, colStride: number,
  order: Int32Array, norms: Float64Array, scratch: Int32Array,
): number {
  rowNorms(m, n, k, rowStride, colStride, norms);
  let zero = 0;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    if (norms[i] === 0 && countZeroRows(m, 1, k, rowStride, colStride, i * rowStride) === 1) zero++;
  }
  sortByDecreasingNorm(order, norms, scratch, n);
  return zero;
}

/**
 * norms[i] = Σ_j m_ij², each row summed in column order; four rows at a time, for four
 * independent addition chains (one chain waits on the adder's latency, ≈ 3× slower at D = 64).
 */
function rowNorms(m: Float64Array, n: number, k: number, rowStride: number, colStride: number, norms: Float64Array): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = 0, o = i * rowStride; j < k; j++, o += colStride) {
      const v0 = m[o]!, v1 = m[o + rowStride]!, v2 = m[o + 2 * rowStride]!, v3 = m[o + 3 * rowStride]!;
      s0 += v0 * v0;
      s1 += v1 * v1;
      s2 += v2 * v2;
      s3 += v3 * v3;
    }
    norms[i] = s0;
    norms[i + 1] = s1;
    norms[i + 2] = s2;
    norms[i + 3] = s3;
  }
  for (; i < n; i++) {
    let s = 0;
    for (let j = 0, o = i * rowStride; j < k; j++, o += colStride) s += m[o]! * m[o]!;
    norms[i] = s;
  }
}

/**
 * A stable bottom-up merge sort of order[0..n) (which starts as 0…n−1) by decreasing norms[i],
 * the order Int32Array.sort with the comparator (a, c) ⇒ norms[c] − norms[a] || a − c gives; the
 * comparator's calls out of the built-in sort cost more than the D² work around it at D = 64.
 */
function sortByDecreasingNorm(order: Int32Array, norms: Float64Array, scratch: Int32Array, n: number): void {
  let from = order;
  let to = scratch;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let a = lo;
      let c = mid;
      let out = lo;
      while (a < mid && c < hi) {
        const left = from[a]!;
        const right = from[c]!;
        // Take the right one only when it is strictly larger: equal norms keep index order.
        if (norms[right]! > norms[left]!) {
          to[out++] = right;
          c++;
        } else {
          to[out++] = left;
          a++;
        }
      }
      while (a < mid) to[out++] = from[a++]!;
      while (c < hi) to[out++] = from[c++]!;
    }
    const swap = from;
    from = to;
    to = swap;
  }
  if (from !== order) order.set(from.subarray(0, n));
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

/**
 * sorted = the n×n row-major m with its rows taken in `rows` order and its columns in `columns`
 * order; four entries per pass of the inner loop (measured 1.6× faster than one at n = 64).
 */
export function gatherRows(m: Float64Array, n: number, rows: Int32Array, columns: Int32Array, sorted: Float64Array): void {
  const n4 = n - (n % 4);
  let o = 0;
  for (let p = 0; p < n; p++) {
    const row = rows[p]! * n;
    let c = 0;
    for (; c < n4; c += 4, o += 4) {
      sorted[o] = m[row + columns[c]!]!;
      sorted[o + 1] = m[row + columns[c + 1]!]!;
      sorted[o + 2] = m[row + columns[c + 2]!]!;
      sorted[o + 3] = m[row + columns[c + 3]!]!;
    }
    for (; c < n; c++, o++) sorted[o] = m[row + columns[c]!]!;
  }
}
