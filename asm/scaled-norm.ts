// Norms that neither overflow nor underflow (LAPACK dnrm2 / dlarfg style), without slowing the
// common case: the kernels compute the plain sum of squares with SIMD as before, and only when it
// falls outside [tinySquare, hugeSquare] (or is not finite) recompute that one norm by the rare
// scalar path scaledNorm. Generic over T (f32 or f64, see simd.ts); the thresholds are T's.
import { bytes } from './simd';

/**
 * Below this a sum of squares may have lost bits to underflow (squares of entries under
 * 2^-511 for f64, 2^-63 for f32, are subnormal or zero): 2^-960 for f64, 2^-100 for f32. Above
 * it, a subnormal square's absolute error (≤ 2^-1075, 2^-150) is under 2^-115 (2^-50) of the sum
 * per entry. Its square root, 2^-480 (2^-50), keeps 1/norm far from overflow.
 */
// @ts-ignore: decorator
@inline export function tinySquare<T>(): T {
  return sizeof<T>() == 8 ? <T>reinterpret<f64>(<u64>(1023 - 960) << 52) : <T>reinterpret<f32>(<u32>(127 - 100) << 23);
}

/** Above this (2^960 for f64, 2^100 for f32) a sum of squares may be near or past overflow. */
// @ts-ignore: decorator
@inline export function hugeSquare<T>(): T {
  return sizeof<T>() == 8 ? <T>reinterpret<f64>(<u64>(1023 + 960) << 52) : <T>reinterpret<f32>(<u32>(127 + 100) << 23);
}

/** √hugeSquare (2^480 for f64, 2^50 for f32): an entry this small squares without overflow. */
// @ts-ignore: decorator
@inline export function sqrtHugeSquare<T>(): T {
  return sizeof<T>() == 8 ? <T>reinterpret<f64>(<u64>(1023 + 480) << 52) : <T>reinterpret<f32>(<u32>(127 + 50) << 23);
}

/**
 * ‖p‖ over len elements (byte pointer) in two passes: big = max |p_i|, then big·√Σ(p_i/big)².
 * Exact to a few ulps at any magnitude T can hold; 0 for a zero vector, +∞ or NaN when an entry is
 * (wasm's max propagates NaN). The rare path: scalar, with a division per element.
 */
export function scaledNorm<T>(p: usize, len: i32): T {
  const end = bytes<T>(<usize>len);
  let big: T = 0;
  for (let o: usize = 0; o < end; o += sizeof<T>()) big = max<T>(big, abs<T>(load<T>(p + o)));
  if (!(big > 0) || !isFinite<T>(big)) return big;
  let s: T = 0;
  for (let o: usize = 0; o < end; o += sizeof<T>()) {
    const x = load<T>(p + o) / big;
    s += x * x;
  }
  return big * sqrt<T>(s);
}
