// out = A·X in "dot form" (see dot-products.ts) for a short, wide A that is used for many columns
// of X: Householder QR's Vᵀ·C and Yᵀ·C, A a panel's w ≤ 16 reflector columns. A is first copied
// into a packed layout that interleaves each group of 4 rows vector by vector, so the register
// tile (4 rows × 2 columns, as in dotProducts) reads all of its A operands from one pointer at
// constant offsets. V8 then spends 3 instead of 6 address computations per step of 8 vector
// mul+adds, and the tile runs at ~25 instead of ~20 GFLOP/s on f64 (Node 20, measured for
// 8 rows, len and columns 64…512). Generic over the element type T (f32 or f64, see simd.ts).
//
// Every entry is summed as dotProducts sums it: one vector accumulator over the whole vectors of
// the row, then its lanes, then the scalar tail in order.
import { bytes, lanes, lanesSum, mulAdd } from './simd';

// A packed group: for each whole vector of the rows (o = 0, 1, …), that vector of rows 4g … 4g+3,
// 64 bytes; then a 64-byte block with the tail elements t < lanes of the 4 rows at (t·4 + r).
const GROUP_ROWS = 4;
const BLOCK_BYTES = 64;

/** Bytes of one packed group of 4 rows of len elements. */
@inline
function groupBytes<T>(len: i32): usize {
  return <usize>(len / lanes<T>() + 1) * BLOCK_BYTES;
}

/** Elements of T that packRows<T> writes for m rows of len elements. */
export function packedLength<T>(m: i32, len: i32): i32 {
  return <i32>(<usize>((m + GROUP_ROWS - 1) / GROUP_ROWS) * groupBytes<T>(len) / sizeof<T>());
}

/**
 * Packs rows a + i·lda (i < m, len elements each, strides in elements of T) for packedDotProducts;
 * the rows that fill up the last group are zeros.
 */
export function packRows<T>(a: usize, lda: i32, m: i32, len: i32, packed: usize): void {
  const aStride = bytes<T>(<usize>lda);
  const vectors = <usize>(len / lanes<T>());
  const tail = len % lanes<T>();
  const zero = v128.splat<T>(0);
  for (let g = 0; g < m; g += GROUP_ROWS) {
    const to = packed + <usize>(g / GROUP_ROWS) * groupBytes<T>(len);
    for (let r = 0; r < GROUP_ROWS; r++) {
      const row = a + <usize>(g + r) * aStride;
      const present = g + r < m;
      for (let o: usize = 0; o < vectors; o++) {
        v128.store(to + o * BLOCK_BYTES + <usize>r * 16, present ? v128.load(row + o * 16) : zero);
      }
      const tailBlock = to + vectors * BLOCK_BYTES;
      for (let t = 0; t < tail; t++) {
        const element = present ? load<T>(row + vectors * 16 + bytes<T>(<usize>t)) : <T>0;
        store<T>(tailBlock + bytes<T>(<usize>(t * GROUP_ROWS + r)), element);
      }
    }
  }
}

/**
 * out[i + j·ldo] = Σ_c A[i, c]·x[j·ldx + c] for i < m, j < k, c < len, A packed by packRows<T>
 * (same m and len). Pointers are byte addresses, strides in elements of T.
 */
export function packedDotProducts<T>(packed: usize, m: i32, x: usize, ldx: i32, k: i32, len: i32, out: usize, ldo: i32): void {
  const xStride = bytes<T>(<usize>ldx);
  const oStride = bytes<T>(<usize>ldo);
  const group = groupBytes<T>(len);
  // Columns outermost: a pair of columns of x stays in L1 while every group of A passes over it.
  for (let j = 0; j < k; j += 2) {
    const xj = x + <usize>j * xStride;
    const oj = out + <usize>j * oStride;
    for (let g = 0; g < m; g += GROUP_ROWS) {
      const a = packed + <usize>(g / GROUP_ROWS) * group;
      const o = oj + bytes<T>(<usize>g);
      const rows = min(GROUP_ROWS, m - g);
      if (j + 1 < k) tile4x2<T>(a, xj, xStride, len, o, oStride, rows);
      else tile4x1<T>(a, xj, len, o, rows);
    }
  }
}

/** The dot product of row r of a packed group with x from its vector accumulator c. */
@inline
function finish<T>(c: v128, a: usize, r: i32, x: usize, len: i32): T {
  let s = lanesSum<T>(c);
  const tail = len % lanes<T>();
  if (tail) {
    const vectors = <usize>(len / lanes<T>());
    const tailBlock = a + vectors * BLOCK_BYTES + bytes<T>(<usize>r);
    const xt = x + vectors * 16;
    for (let t = 0; t < tail; t++) {
      s += load<T>(tailBlock + bytes<T>(<usize>(t * GROUP_ROWS))) * load<T>(xt + bytes<T>(<usize>t));
    }
  }
  return s;
}

/** Stores the first `rows` of the 4 results of a group (the others are padding rows). */
@inline
function put4<T>(out: usize, rows: i32, s0: T, s1: T, s2: T, s3: T): void {
  const e = sizeof<T>();
  store<T>(out, s0);
  if (rows > 1) store<T>(out + e, s1);
  if (rows > 2) store<T>(out + 2 * e, s2);
  if (rows > 3) store<T>(out + 3 * e, s3);
}

function tile4x2<T>(a: usize, x: usize, xs: usize, len: i32, out: usize, os: usize, rows: i32): void {
  const x0 = x, x1 = x + xs;
  let c00 = v128.splat<T>(0), c10 = v128.splat<T>(0), c20 = v128.splat<T>(0), c30 = v128.splat<T>(0);
  let c01 = v128.splat<T>(0), c11 = v128.splat<T>(0), c21 = v128.splat<T>(0), c31 = v128.splat<T>(0);
  const end = <usize>(len / lanes<T>()) * 16;
  let ap = a;
  for (let o: usize = 0; o < end; o += 16) {
    const w0 = v128.load(x0 + o), w1 = v128.load(x1 + o);
    let v = v128.load(ap);
    c00 = mulAdd<T>(c00, v, w0); c01 = mulAdd<T>(c01, v, w1);
    v = v128.load(ap, 16);
    c10 = mulAdd<T>(c10, v, w0); c11 = mulAdd<T>(c11, v, w1);
    v = v128.load(ap, 32);
    c20 = mulAdd<T>(c20, v, w0); c21 = mulAdd<T>(c21, v, w1);
    v = v128.load(ap, 48);
    c30 = mulAdd<T>(c30, v, w0); c31 = mulAdd<T>(c31, v, w1);
    ap += BLOCK_BYTES;
  }
  put4<T>(out, rows, finish<T>(c00, a, 0, x0, len), finish<T>(c10, a, 1, x0, len), finish<T>(c20, a, 2, x0, len), finish<T>(c30, a, 3, x0, len));
  put4<T>(out + os, rows, finish<T>(c01, a, 0, x1, len), finish<T>(c11, a, 1, x1, len), finish<T>(c21, a, 2, x1, len), finish<T>(c31, a, 3, x1, len));
}

function tile4x1<T>(a: usize, x: usize, len: i32, out: usize, rows: i32): void {
  let c0 = v128.splat<T>(0), c1 = v128.splat<T>(0), c2 = v128.splat<T>(0), c3 = v128.splat<T>(0);
  const end = <usize>(len / lanes<T>()) * 16;
  let ap = a;
  for (let o: usize = 0; o < end; o += 16) {
    const w = v128.load(x + o);
    c0 = mulAdd<T>(c0, v128.load(ap), w);
    c1 = mulAdd<T>(c1, v128.load(ap, 16), w);
    c2 = mulAdd<T>(c2, v128.load(ap, 32), w);
    c3 = mulAdd<T>(c3, v128.load(ap, 48), w);
    ap += BLOCK_BYTES;
  }
  put4<T>(out, rows, finish<T>(c0, a, 0, x, len), finish<T>(c1, a, 1, x, len), finish<T>(c2, a, 2, x, len), finish<T>(c3, a, 3, x, len));
}
