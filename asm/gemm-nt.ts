// The dense product of training, C = A·Bᵀ, in float32 (src/linalg/gemm/f32-arena.ts calls it
// over panels of the shared dimension). Only float32: training runs its float64 products in
// JavaScript (src/linalg/gemm/gemm-nt.ts), the reference this kernel is tested against.
import { lanesSum, mulAdd } from './simd';

@inline
function put(c: usize, value: f32, accumulate: bool): void {
  store<f32>(c, accumulate ? load<f32>(c) + value : value);
}

/**
 * The lane sums of four vectors as one vector [Σa, Σb, Σc, Σd], each summed (l0 + l2) + (l1 + l3),
 * by two rounds of shuffles and adds (against three extracts and three adds per sum).
 */
@inline
function lanesSum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 1, 4, 5), v128.shuffle<f32>(ab, cd, 2, 3, 6, 7));
}

/**
 * C = A·Bᵀ (+ C when `accumulate`) over k columns: A m rows, B n rows, C m×n, row-major f32
 * with row strides lda, ldb, ldc (in elements). Two rows of A against four rows of B at a
 * time: eight f32x4 running sums over the shared dimension, summed across lanes at the end (four
 * sums to one vector by shuffles, stored as one vector per row of C).
 */
export function gemmNTF32(
  m: i32, n: i32, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: bool,
): void {
  const vectorBytes = (<usize>(k >> 2)) << 4;
  const endBytes = (<usize>k) << 2;
  const rowA = (<usize>lda) << 2;
  const rowB = (<usize>ldb) << 2;
  const rowC = (<usize>ldc) << 2;
  let i = 0;
  for (; i + 1 < m; i += 2) {
    const a0 = a + <usize>i * rowA;
    const a1 = a0 + rowA;
    const c0 = c + <usize>i * rowC;
    const c1 = c0 + rowC;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const b0 = b + <usize>j * rowB;
      const b1 = b0 + rowB;
      const b2 = b1 + rowB;
      const b3 = b2 + rowB;
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0), s03 = f32x4.splat(0);
      let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0), s13 = f32x4.splat(0);
      let p: usize = 0;
      for (; p < vectorBytes; p += 16) {
        const x0 = v128.load(a0 + p);
        const x1 = v128.load(a1 + p);
        const y0 = v128.load(b0 + p);
        const y1 = v128.load(b1 + p);
        const y2 = v128.load(b2 + p);
        const y3 = v128.load(b3 + p);
        s00 = mulAdd<f32>(s00, x0, y0); s01 = mulAdd<f32>(s01, x0, y1); s02 = mulAdd<f32>(s02, x0, y2); s03 = mulAdd<f32>(s03, x0, y3);
        s10 = mulAdd<f32>(s10, x1, y0); s11 = mulAdd<f32>(s11, x1, y1); s12 = mulAdd<f32>(s12, x1, y2); s13 = mulAdd<f32>(s13, x1, y3);
      }
      let r0 = lanesSum4(s00, s01, s02, s03);
      let r1 = lanesSum4(s10, s11, s12, s13);
      if (p < endBytes) {
        // The k mod 4 leftover columns, added to the four sums of each row.
        let t00: f32 = 0, t01: f32 = 0, t02: f32 = 0, t03: f32 = 0, t10: f32 = 0, t11: f32 = 0, t12: f32 = 0, t13: f32 = 0;
        for (; p < endBytes; p += 4) {
          const x0 = load<f32>(a0 + p);
          const x1 = load<f32>(a1 + p);
          const y0 = load<f32>(b0 + p), y1 = load<f32>(b1 + p), y2 = load<f32>(b2 + p), y3 = load<f32>(b3 + p);
          t00 += x0 * y0; t01 += x0 * y1; t02 += x0 * y2; t03 += x0 * y3;
          t10 += x1 * y0; t11 += x1 * y1; t12 += x1 * y2; t13 += x1 * y3;
        }
        r0 = f32x4.add(r0, f32x4(t00, t01, t02, t03));
        r1 = f32x4.add(r1, f32x4(t10, t11, t12, t13));
      }
      const o = (<usize>j) << 2;
      v128.store(c0 + o, accumulate ? f32x4.add(v128.load(c0 + o), r0) : r0);
      v128.store(c1 + o, accumulate ? f32x4.add(v128.load(c1 + o), r1) : r1);
    }
    for (; j < n; j++) {
      const b0 = b + <usize>j * rowB;
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
      let p: usize = 0;
      for (; p < vectorBytes; p += 16) {
        const y = v128.load(b0 + p);
        s0 = mulAdd<f32>(s0, v128.load(a0 + p), y);
        s1 = mulAdd<f32>(s1, v128.load(a1 + p), y);
      }
      let t0 = lanesSum<f32>(s0), t1 = lanesSum<f32>(s1);
      for (; p < endBytes; p += 4) {
        const y = load<f32>(b0 + p);
        t0 += load<f32>(a0 + p) * y;
        t1 += load<f32>(a1 + p) * y;
      }
      put(c0 + ((<usize>j) << 2), t0, accumulate);
      put(c1 + ((<usize>j) << 2), t1, accumulate);
    }
  }
  for (; i < m; i++) {
    const a0 = a + <usize>i * rowA;
    const c0 = c + <usize>i * rowC;
    for (let j = 0; j < n; j++) {
      const b0 = b + <usize>j * rowB;
      let s = f32x4.splat(0);
      let p: usize = 0;
      for (; p < vectorBytes; p += 16) s = mulAdd<f32>(s, v128.load(a0 + p), v128.load(b0 + p));
      let t = lanesSum<f32>(s);
      for (; p < endBytes; p += 4) t += load<f32>(a0 + p) * load<f32>(b0 + p);
      put(c0 + ((<usize>j) << 2), t, accumulate);
    }
  }
}
