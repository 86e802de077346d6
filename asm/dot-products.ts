// out = A·X (or out += A·X) in "dot form": every entry is the dot product of a contiguous row
// of A with a contiguous column of X. This is matmulBlock (A row-major weights, X a column-major
// block) and also Qᵀ·Y in Householder QR (Q's columns are A's rows). Generic over the element
// type T (f32 or f64, see simd.ts).
//
// Every entry is summed in the same order whichever tile computes it: one vector accumulator per
// entry over the whole vectors of the row, then `finish` (its lanes, then the scalar tail).
// So column j of out does not depend on how many other columns share the call (or on where the
// panels split them), which lets a batch be split over threads with bit-identical results.
import { bytes, lanes, lanesSum, mulAdd } from './simd';

// Register tile: 4 rows of A × 2 columns of X = 8 vector accumulators. Measured on Node 20
// (V8 TurboFan, x86-64) for f64: 4×2, 3×2 and 2×4 run at ~21 GFLOP/s, while 3×3, 4×3 and anything
// unrolled spill registers and drop to 11–15. f32x4 uses the same registers, so the same tile.
const TILE_ROWS = 4;
const TILE_COLS = 2;
// Columns of X kept hot in L2 while all rows of A stream past them (bytes).
const X_PANEL_BYTES = 256 * 1024;

/**
 * out[i + j·ldo] (+)= Σ_c a[i·lda + c]·x[j·ldx + c] for i < m, j < k, c < len.
 * Pointers are byte addresses, strides are in elements of T.
 */
export function dotProducts<T>(
  a: usize, lda: i32, m: i32,
  x: usize, ldx: i32, k: i32,
  len: i32, out: usize, ldo: i32, accumulate: bool,
): void {
  if (m <= 0 || k <= 0) return;
  const aStride = bytes<T>(<usize>lda);
  const xStride = bytes<T>(<usize>ldx);
  const oStride = bytes<T>(<usize>ldo);
  let panel = X_PANEL_BYTES / <i32>bytes<T>(<usize>max(len, 1));
  panel = max(TILE_COLS, panel - panel % TILE_COLS);
  const fullRows = m - m % TILE_ROWS;
  for (let jb = 0; jb < k; jb += panel) {
    const je = min(k, jb + panel);
    const fullCols = je - (je - jb) % TILE_COLS;
    for (let i = 0; i < m; i += TILE_ROWS) {
      const ai = a + <usize>i * aStride;
      const oi = out + bytes<T>(<usize>i);
      if (i < fullRows) {
        let j = jb;
        for (; j < fullCols; j += TILE_COLS) {
          tile4x2<T>(ai, aStride, x + <usize>j * xStride, xStride, len, oi + <usize>j * oStride, oStride, accumulate);
        }
        for (; j < je; j++) {
          tile4x1<T>(ai, aStride, x + <usize>j * xStride, len, oi + <usize>j * oStride, accumulate);
        }
      } else {
        for (let r = i; r < m; r++) {
          const ar = a + <usize>r * aStride;
          const or = out + bytes<T>(<usize>r);
          let j = jb;
          for (; j < fullCols; j += TILE_COLS) {
            tile1x2<T>(ar, x + <usize>j * xStride, xStride, len, or + <usize>j * oStride, oStride, accumulate);
          }
          for (; j < je; j++) {
            tile1x1<T>(ar, x + <usize>j * xStride, len, or + <usize>j * oStride, accumulate);
          }
        }
      }
    }
  }
}

@inline
function put<T>(o: usize, s: T, accumulate: bool): void {
  store<T>(o, accumulate ? load<T>(o) + s : s);
}

/** Bytes covered by whole vectors of a len-element row (the vector loops' end). */
@inline
function vectorBytes<T>(len: i32): usize {
  return bytes<T>(<usize>(len & ~(lanes<T>() - 1)));
}

/**
 * The dot product of row a and column x from its vector accumulator c: c's lanes summed, plus the
 * products of the elements after the last whole vector (fewer than lanes<T>()), in order.
 */
@inline
function finish<T>(c: v128, a: usize, x: usize, len: i32): T {
  let s = lanesSum<T>(c);
  // Tested first rather than left to the loop's own test: rows of whole vectors are the common
  // case, and the loop's set-up for each of a tile's 8 entries cost ~4 % of matmulBlock<f64> at
  // len = 64 (measured).
  if (len & (lanes<T>() - 1)) {
    for (let o = vectorBytes<T>(len), end = bytes<T>(<usize>len); o < end; o += sizeof<T>()) {
      s += load<T>(a + o) * load<T>(x + o);
    }
  }
  return s;
}

function tile4x2<T>(a: usize, as: usize, x: usize, xs: usize, len: i32, out: usize, os: usize, accumulate: bool): void {
  const a0 = a, a1 = a + as, a2 = a + 2 * as, a3 = a + 3 * as;
  const x0 = x, x1 = x + xs;
  let c00 = v128.splat<T>(0), c10 = v128.splat<T>(0), c20 = v128.splat<T>(0), c30 = v128.splat<T>(0);
  let c01 = v128.splat<T>(0), c11 = v128.splat<T>(0), c21 = v128.splat<T>(0), c31 = v128.splat<T>(0);
  const end = vectorBytes<T>(len);
  for (let o: usize = 0; o < end; o += 16) {
    const w0 = v128.load(x0 + o), w1 = v128.load(x1 + o);
    let v = v128.load(a0 + o);
    c00 = mulAdd<T>(c00, v, w0); c01 = mulAdd<T>(c01, v, w1);
    v = v128.load(a1 + o);
    c10 = mulAdd<T>(c10, v, w0); c11 = mulAdd<T>(c11, v, w1);
    v = v128.load(a2 + o);
    c20 = mulAdd<T>(c20, v, w0); c21 = mulAdd<T>(c21, v, w1);
    v = v128.load(a3 + o);
    c30 = mulAdd<T>(c30, v, w0); c31 = mulAdd<T>(c31, v, w1);
  }
  const e = sizeof<T>();
  put<T>(out, finish<T>(c00, a0, x0, len), accumulate);
  put<T>(out + e, finish<T>(c10, a1, x0, len), accumulate);
  put<T>(out + 2 * e, finish<T>(c20, a2, x0, len), accumulate);
  put<T>(out + 3 * e, finish<T>(c30, a3, x0, len), accumulate);
  put<T>(out + os, finish<T>(c01, a0, x1, len), accumulate);
  put<T>(out + os + e, finish<T>(c11, a1, x1, len), accumulate);
  put<T>(out + os + 2 * e, finish<T>(c21, a2, x1, len), accumulate);
  put<T>(out + os + 3 * e, finish<T>(c31, a3, x1, len), accumulate);
}

function tile4x1<T>(a: usize, as: usize, x: usize, len: i32, out: usize, accumulate: bool): void {
  const a0 = a, a1 = a + as, a2 = a + 2 * as, a3 = a + 3 * as;
  let c0 = v128.splat<T>(0), c1 = v128.splat<T>(0), c2 = v128.splat<T>(0), c3 = v128.splat<T>(0);
  const end = vectorBytes<T>(len);
  for (let o: usize = 0; o < end; o += 16) {
    const w = v128.load(x + o);
    c0 = mulAdd<T>(c0, v128.load(a0 + o), w);
    c1 = mulAdd<T>(c1, v128.load(a1 + o), w);
    c2 = mulAdd<T>(c2, v128.load(a2 + o), w);
    c3 = mulAdd<T>(c3, v128.load(a3 + o), w);
  }
  const e = sizeof<T>();
  put<T>(out, finish<T>(c0, a0, x, len), accumulate);
  put<T>(out + e, finish<T>(c1, a1, x, len), accumulate);
  put<T>(out + 2 * e, finish<T>(c2, a2, x, len), accumulate);
  put<T>(out + 3 * e, finish<T>(c3, a3, x, len), accumulate);
}

function tile1x2<T>(a: usize, x: usize, xs: usize, len: i32, out: usize, os: usize, accumulate: bool): void {
  const x0 = x, x1 = x + xs;
  let c0 = v128.splat<T>(0), c1 = v128.splat<T>(0);
  const end = vectorBytes<T>(len);
  for (let o: usize = 0; o < end; o += 16) {
    const v = v128.load(a + o);
    c0 = mulAdd<T>(c0, v, v128.load(x0 + o));
    c1 = mulAdd<T>(c1, v, v128.load(x1 + o));
  }
  put<T>(out, finish<T>(c0, a, x0, len), accumulate);
  put<T>(out + os, finish<T>(c1, a, x1, len), accumulate);
}

function tile1x1<T>(a: usize, x: usize, len: i32, out: usize, accumulate: bool): void {
  let c = v128.splat<T>(0);
  const end = vectorBytes<T>(len);
  for (let o: usize = 0; o < end; o += 16) c = mulAdd<T>(c, v128.load(a + o), v128.load(x + o));
  put<T>(out, finish<T>(c, a, x, len), accumulate);
}
