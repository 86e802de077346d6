// The data movement around training's products (src/linalg/gemm/gemm-nt.ts transpose,
// addColumnSums, addRowVector) on float32 buffers: exact operations (each sum is the same
// float32 addition in the same order), so results equal the JavaScript versions bit for bit;
// and the exponentials of the softmax (expShiftedF32), which agree with Math.exp's to float32 rounding.
import { expNonPositive } from './exp';

/** Square tiles: the rows read and the rows written both stay in cache. */
const TILE = 32;

/** out (cols×rows) = transpose of a (rows×cols), row-major; 4×4 blocks transposed in registers. */
export function transposeF32(rows: i32, cols: i32, a: usize, out: usize): void {
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    const i1 = min(rows, i0 + TILE);
    for (let j0 = 0; j0 < cols; j0 += TILE) {
      const j1 = min(cols, j0 + TILE);
      let i = i0;
      for (; i + 3 < i1; i += 4) {
        let j = j0;
        for (; j + 3 < j1; j += 4) transposeBlock(a + ((<usize>i * cols + j) << 2), cols, out + ((<usize>j * rows + i) << 2), rows);
        for (; j < j1; j++) {
          for (let r = i; r < i + 4; r++) store<f32>(out + ((<usize>j * rows + r) << 2), load<f32>(a + ((<usize>r * cols + j) << 2)));
        }
      }
      for (; i < i1; i++) {
        for (let j = j0; j < j1; j++) store<f32>(out + ((<usize>j * rows + i) << 2), load<f32>(a + ((<usize>i * cols + j) << 2)));
      }
    }
  }
}

/** The 4×4 block at a (rows lda floats apart) written transposed at out (rows ldo apart). */
@inline
function transposeBlock(a: usize, lda: i32, out: usize, ldo: i32): void {
  const sa = (<usize>lda) << 2;
  const so = (<usize>ldo) << 2;
  const r0 = v128.load(a), r1 = v128.load(a + sa), r2 = v128.load(a + 2 * sa), r3 = v128.load(a + 3 * sa);
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5); // a00 a10 a01 a11
  const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5); // a20 a30 a21 a31
  const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7); // a02 a12 a03 a13
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7); // a22 a32 a23 a33
  v128.store(out, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(out + so, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  v128.store(out + 2 * so, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
  v128.store(out + 3 * so, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
}

/** target[j] += source[j] over n floats (f32 additions; x + y = y + x exactly). */
@inline
function addRow(target: usize, source: usize, n: i32): void {
  const vectors = (<usize>(n & ~3)) << 2;
  const end = (<usize>n) << 2;
  let o: usize = 0;
  for (; o < vectors; o += 16) v128.store(target + o, f32x4.add(v128.load(target + o), v128.load(source + o)));
  for (; o < end; o += 4) store<f32>(target + o, load<f32>(target + o) + load<f32>(source + o));
}

/** sums[j] += Σ_i a[i, j] over the rows of a rows×cols row-major block, row by row. */
export function addColumnSumsF32(rows: i32, cols: i32, a: usize, sums: usize): void {
  for (let i = 0; i < rows; i++) addRow(sums, a + ((<usize>i * cols) << 2), cols);
}

/** a[i, j] += v[j] for every row of a rows×cols row-major block. */
export function addRowVectorF32(rows: i32, cols: i32, a: usize, v: usize): void {
  for (let i = 0; i < rows; i++) addRow(a + ((<usize>i * cols) << 2), v, cols);
}

/**
 * p[i] ← e^{p[i] − shift} over n floats (shift ≥ every p[i]: a softmax row's maximum), rounded to
 * float32; returns the sum of the exponentials before rounding, in f64, added in the order
 * (lanes 0 then 1 of each pair summed into two running sums, then the tail).
 */
export function expShiftedF32(n: i32, p: usize, shift: f64): f64 {
  const s = f64x2.splat(shift);
  let sum = f64x2.splat(0);
  const pairs = (<usize>(n & ~1)) << 2;
  let o: usize = 0;
  for (; o < pairs; o += 8) {
    const e = expNonPositive(f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(p + o)), s));
    sum = f64x2.add(sum, e);
    v128.store64_lane(p + o, f32x4.demote_f64x2_zero(e), 0);
  }
  let total = f64x2.extract_lane(sum, 0) + f64x2.extract_lane(sum, 1);
  if (o < (<usize>n) << 2) {
    const e = expNonPositive(f64x2.splat(<f64>load<f32>(p + o) - shift));
    total += f64x2.extract_lane(e, 0);
    store<f32>(p + o, <f32>f64x2.extract_lane(e, 0));
  }
  return total;
}
