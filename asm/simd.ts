// Small helpers shared by the float64 kernels. Relaxed SIMD (fused multiply-add) is not used:
// Node 20 needs a flag for it, so every product is a separate mul and add.

/** acc + a·b, lane-wise on f64x2. */
@inline
export function mulAdd(acc: v128, a: v128, b: v128): v128 {
  return f64x2.add(acc, f64x2.mul(a, b));
}

/** acc − a·b, lane-wise on f64x2. */
@inline
export function mulSub(acc: v128, a: v128, b: v128): v128 {
  return f64x2.sub(acc, f64x2.mul(a, b));
}

/** Sum of the two lanes. */
@inline
export function lanesSum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** Σ p[i]·q[i] over len doubles (byte pointers), two vector accumulators for latency. */
export function dot(p: usize, q: usize, len: i32): f64 {
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  const quads = (<usize>(len >> 2)) << 5;
  let o: usize = 0;
  for (; o < quads; o += 32) {
    s0 = mulAdd(s0, v128.load(p + o), v128.load(q + o));
    s1 = mulAdd(s1, v128.load(p + o, 16), v128.load(q + o, 16));
  }
  let s = lanesSum(f64x2.add(s0, s1));
  const end = (<usize>len) << 3;
  for (; o < end; o += 8) s += load<f64>(p + o) * load<f64>(q + o);
  return s;
}

/** p[i] *= factor over len doubles. */
export function scale(p: usize, len: i32, factor: f64): void {
  const f = f64x2.splat(factor);
  const pairs = (<usize>(len >> 1)) << 4;
  let o: usize = 0;
  for (; o < pairs; o += 16) v128.store(p + o, f64x2.mul(v128.load(p + o), f));
  if (len & 1) store<f64>(p + o, load<f64>(p + o) * factor);
}
