// Euclidean norms of the columns of a block, which the spectrum compares each R_jj against (a
// direction the Jacobian annihilated has R_jj at rounding level of its column's norm). Generic over
// the element type T (f32 or f64, see simd.ts).
import { bytes, dot } from './simd';

/** out[j] = ‖z[:, j]‖ for the n×k column-major block z (byte addresses; out holds k elements of T). */
export function columnNorms<T>(z: usize, n: i32, k: i32, out: usize): void {
  const colBytes = bytes<T>(<usize>n);
  for (let j = 0; j < k; j++) {
    const col = z + <usize>j * colBytes;
    store<T>(out + bytes<T>(<usize>j), sqrt<T>(dot<T>(col, col, n)));
  }
}
