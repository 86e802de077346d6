// exp and tanh in float64, the same code as src/linalg/libm.ts (fdlibm 5.3's e_exp.c, s_expm1.c
// and s_tanh.c as adapted in V8's src/base/ieee754.cc), operation for operation, so the spectrum's
// cell steps run here give the JavaScript's bits (test/cells.forward-kernels.test.ts). fdlibm's
// notice:
//
// ====================================================
// Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
//
// Developed at SunSoft, a Sun Microsystems, Inc. business.
// Permission to use, copy, modify, and distribute this
// software is freely granted, provided that this notice
// is preserved.
// ====================================================

const LN2_HI: f64 = 6.93147180369123816490e-1;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const INV_LN2: f64 = 1.44269504088896338700e0;
const O_THRESHOLD: f64 = 7.09782712893383973096e2;
const U_THRESHOLD: f64 = -7.45133219101941108420e2;
const TWO_M1000: f64 = 9.33263618503218878990e-302;
const TWO_1023: f64 = 8.988465674311579539e307;
// |x| against the doubles of fdlibm's high-word tests (high word, low word 0), as libm.ts does.
const ABOVE_709: f64 = reinterpret<f64>(0x40862e4200000000);
const ABOVE_HALF_LN2: f64 = reinterpret<f64>(0x3fd62e4300000000);
const BELOW_1P5_LN2: f64 = reinterpret<f64>(0x3ff0a2b200000000);
const TWO_M28: f64 = reinterpret<f64>(<u64>(1023 - 28) << 52);
const P1: f64 = 1.66666666666666019037e-1;
const P2: f64 = -2.77777777770155933842e-3;
const P3: f64 = 6.61375632143793436117e-5;
const P4: f64 = -1.65339022054652515390e-6;
const P5: f64 = 4.13813679705723846039e-8;
const Q1: f64 = -3.33333333333331316428e-2;
const Q2: f64 = 1.58730158725481460165e-3;
const Q3: f64 = -7.93650757867487942473e-5;
const Q4: f64 = 4.00821782732936239552e-6;
const Q5: f64 = -2.01099218183624371326e-7;
/** V8 returns Math.E for exp(1) (its correction of fdlibm's last bit). */
const E: f64 = 2.718281828459045;

/** 2^e for e in [−1022, 1023], exact. */
@inline
function pow2(e: i32): f64 {
  return reinterpret<f64>(<u64>(e + 1023) << 52);
}

/** fdlibm's k for e^x = 2^k e^r: 0 for |x| ≤ ln 2 / 2, ±1 up to 1.5 ln 2, round(x / ln 2) beyond. */
@inline
function reductionK(x: f64): i32 {
  const ax = abs(x);
  if (ax < ABOVE_HALF_LN2) return 0;
  if (ax < BELOW_1P5_LN2) return x < 0 ? -1 : 1;
  return <i32>(INV_LN2 * x + (x < 0 ? -0.5 : 0.5));
}

/** e^x, fdlibm's e_exp.c. */
export function exp(x: f64): f64 {
  const ax = abs(x);
  if (!(ax < ABOVE_709)) {
    if (x != x) return x;
    if (x > O_THRESHOLD) return Infinity;
    if (x < U_THRESHOLD) return 0;
  }
  if (ax < TWO_M28) return 1 + x;
  if (x == 1) return E;
  const k = reductionK(x);
  const hi = x - <f64>k * LN2_HI;
  const lo = <f64>k * LN2_LO;
  const r = k == 0 ? x : hi - lo;
  const t = r * r;
  const c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k == 0) return 1 - ((r * c) / (c - 2) - r);
  const y = 1 - (lo - (r * c) / (2 - c) - hi);
  if (k >= -1021) return k == 1024 ? y * 2 * TWO_1023 : y * pow2(k);
  return y * pow2(k + 1000) * TWO_M1000;
}

/** e^x − 1 for k = reductionK(x), as libm.ts's expm1Reduced (fdlibm's s_expm1.c past its special cases). */
function expm1Reduced(x: f64, k: i32): f64 {
  const hi = x - <f64>k * LN2_HI;
  const lo = <f64>k * LN2_LO;
  const r = k == 0 ? x : hi - lo;
  const c = k == 0 ? 0 : hi - r - lo;
  const hfx = 0.5 * r;
  const hxs = r * hfx;
  const r1 = 1 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
  const t = 3 - r1 * hfx;
  const e0 = hxs * ((r1 - t) / (6 - r * t));
  if (k == 0) return r - (r * e0 - hxs);
  const e = r * (e0 - c) - c - hxs;
  if (k == -1) return 0.5 * (r - e) - 0.5;
  if (k == 1) return r < -0.25 ? -2 * (e - (r + 0.5)) : 1 + 2 * (r - e);
  if (k <= -2 || k > 56) {
    const y = 1 - (e - r);
    return (k == 1024 ? y * 2 * TWO_1023 : y * pow2(k)) - 1;
  }
  if (k < 20) return (1 - pow2(-k) - (e - r)) * pow2(k);
  return (r - (e + pow2(-k)) + 1) * pow2(k);
}

/** Hyperbolic tangent, fdlibm's s_tanh.c (its expm1 arguments, 2^-27 ≤ |±2x| < 44, skip expm1's special cases). */
export function tanh(x: f64): f64 {
  const ax = abs(x);
  let z: f64;
  if (ax < 22) {
    if (ax < TWO_M28) return x;
    const y = ax >= 1 ? 2 * ax : -2 * ax;
    const t = expm1Reduced(y, reductionK(y));
    z = ax >= 1 ? 1 - 2 / (t + 2) : -t / (t + 2);
  } else if (x != x) {
    return x;
  } else {
    z = 1;
  }
  return x < 0 ? -z : z;
}
