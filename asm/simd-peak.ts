// The WebAssembly ceiling the benchmarks quote: the multiply-add rate of 128-bit SIMD on this
// machine, measured rather than assumed. Twelve independent chains s ← s·c + d (the chains keep
// the multiply in the loop: a product of loop constants would be hoisted out of it), enough to
// cover the latency of a multiply then an add; s converges to 2, so no value over- or underflows.

/** Runs `iterations` rounds of 12 vector multiply-adds; returns a lane sum so the work is kept. */
export function simdPeak<T>(iterations: i32): T {
  const c = v128.splat<T>(0.5);
  const d = v128.splat<T>(1);
  let s0 = v128.splat<T>(0), s1 = v128.splat<T>(0.1), s2 = v128.splat<T>(0.2), s3 = v128.splat<T>(0.3);
  let s4 = v128.splat<T>(0.4), s5 = v128.splat<T>(0.5), s6 = v128.splat<T>(0.6), s7 = v128.splat<T>(0.7);
  let s8 = v128.splat<T>(0.8), s9 = v128.splat<T>(0.9), s10 = v128.splat<T>(1.1), s11 = v128.splat<T>(1.2);
  for (let i = 0; i < iterations; i++) {
    s0 = v128.add<T>(v128.mul<T>(s0, c), d); s1 = v128.add<T>(v128.mul<T>(s1, c), d);
    s2 = v128.add<T>(v128.mul<T>(s2, c), d); s3 = v128.add<T>(v128.mul<T>(s3, c), d);
    s4 = v128.add<T>(v128.mul<T>(s4, c), d); s5 = v128.add<T>(v128.mul<T>(s5, c), d);
    s6 = v128.add<T>(v128.mul<T>(s6, c), d); s7 = v128.add<T>(v128.mul<T>(s7, c), d);
    s8 = v128.add<T>(v128.mul<T>(s8, c), d); s9 = v128.add<T>(v128.mul<T>(s9, c), d);
    s10 = v128.add<T>(v128.mul<T>(s10, c), d); s11 = v128.add<T>(v128.mul<T>(s11, c), d);
  }
  const all = v128.add<T>(
    v128.add<T>(v128.add<T>(v128.add<T>(s0, s1), v128.add<T>(s2, s3)), v128.add<T>(v128.add<T>(s4, s5), v128.add<T>(s6, s7))),
    v128.add<T>(v128.add<T>(s8, s9), v128.add<T>(s10, s11)),
  );
  return v128.extract_lane<T>(all, 0);
}
