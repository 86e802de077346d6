// Small helpers shared by the kernels. Every kernel is generic over its element type T, f32 or f64:
// a v128 holds lanes<T>() of them (4 f32 or 2 f64), and sizeof<T>() is a compile-time constant, so
// each instantiation compiles to the same code a hand-written f32x4 or f64x2 kernel would.
// Relaxed SIMD (fused multiply-add) is not used: Node 20 needs a flag for it, so every product is a
// separate mul and add.

/** Elements of type T in one v128. */
@inline
export function lanes<T>(): i32 {
  return 16 / <i32>sizeof<T>();
}

/** Bytes of `count` elements of type T. */
@inline
export function bytes<T>(count: usize): usize {
  return count * sizeof<T>();
}

/** acc + a·b, lane-wise. */
@inline
export function mulAdd<T>(acc: v128, a: v128, b: v128): v128 {
  return v128.add<T>(acc, v128.mul<T>(a, b));
}

/** acc − a·b, lane-wise. */
@inline
export function mulSub<T>(acc: v128, a: v128, b: v128): v128 {
  return v128.sub<T>(acc, v128.mul<T>(a, b));
}

/** Sum of the lanes, in a fixed order: (l0 + l1) for f64, (l0 + l1) + (l2 + l3) for f32. */
@inline
export function lanesSum<T>(v: v128): T {
  if (sizeof<T>() == 8) return v128.extract_lane<T>(v, 0) + v128.extract_lane<T>(v, 1);
  return (v128.extract_lane<T>(v, 0) + v128.extract_lane<T>(v, 1))
    + (v128.extract_lane<T>(v, 2) + v128.extract_lane<T>(v, 3));
}

/** Σ p[i]·q[i] over len elements (byte pointers), two vector accumulators for latency. */
export function dot<T>(p: usize, q: usize, len: i32): T {
  let s0 = v128.splat<T>(0);
  let s1 = v128.splat<T>(0);
  const twoVectors = bytes<T>(<usize>(len & ~(2 * lanes<T>() - 1)));
  let o: usize = 0;
  for (; o < twoVectors; o += 32) {
    s0 = mulAdd<T>(s0, v128.load(p + o), v128.load(q + o));
    s1 = mulAdd<T>(s1, v128.load(p + o, 16), v128.load(q + o, 16));
  }
  let s = lanesSum<T>(v128.add<T>(s0, s1));
  const end = bytes<T>(<usize>len);
  for (; o < end; o += sizeof<T>()) s += load<T>(p + o) * load<T>(q + o);
  return s;
}

/** p[i] *= factor over len elements. */
export function scale<T>(p: usize, len: i32, factor: T): void {
  const f = v128.splat<T>(factor);
  const vectors = bytes<T>(<usize>(len & ~(lanes<T>() - 1)));
  let o: usize = 0;
  for (; o < vectors; o += 16) v128.store(p + o, v128.mul<T>(v128.load(p + o), f));
  const end = bytes<T>(<usize>len);
  for (; o < end; o += sizeof<T>()) store<T>(p + o, load<T>(p + o) * factor);
}

/** y[i] −= factor·x[i] over len elements. */
export function subtractScaled<T>(y: usize, x: usize, len: i32, factor: T): void {
  const f = v128.splat<T>(factor);
  const twoVectors = bytes<T>(<usize>(len & ~(2 * lanes<T>() - 1)));
  let o: usize = 0;
  for (; o < twoVectors; o += 32) {
    v128.store(y + o, mulSub<T>(v128.load(y + o), v128.load(x + o), f));
    v128.store(y + o, mulSub<T>(v128.load(y + o, 16), v128.load(x + o, 16), f), 16);
  }
  const end = bytes<T>(<usize>len);
  for (; o < end; o += sizeof<T>()) store<T>(y + o, load<T>(y + o) - load<T>(x + o) * factor);
}
