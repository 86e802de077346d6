// exp, log, expm1, tanh, sin and cos (and the integer nearest log2) in plain arithmetic, so that
// a spectrum has the same bits in every JavaScript engine. Math.exp & co. are implementation-defined (ECMA-262 §21.3.2) and do
// differ: Node 20 (V8 11.3) computes them with V8's fdlibm port, newer Chromium with other code,
// and the last bits of λ then differ by ~1e-11. These are that same fdlibm code, so on Node 20 they
// return exactly what Math.* returns (test/linalg.libm.test.ts asserts it bit for bit).
//
// Ported from fdlibm 5.3 (http://www.netlib.org/fdlibm: e_exp.c, e_log.c, s_expm1.c, s_tanh.c,
// k_sin.c, k_cos.c, s_sin.c, s_cos.c, e_rem_pio2.c) as adapted in V8's src/base/ieee754.cc (which
// returns Math.E for exp(1)), under fdlibm's notice:
//
// ====================================================
// Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
//
// Developed at SunSoft, a Sun Microsystems, Inc. business.
// Permission to use, copy, modify, and distribute this
// software is freely granted, provided that this notice
// is preserved.
// ====================================================

const WORDS = new Float64Array(1);
const HALVES = new Int32Array(WORDS.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = 1 - HI;

function highWord(x: number): number {
  WORDS[0] = x;
  return HALVES[HI]!;
}

function fromWords(hi: number, lo: number): number {
  HALVES[HI] = hi;
  HALVES[LO] = lo;
  return WORDS[0]!;
}

/**
 * 2^e for e in [−1074, 1023] at POW2[e + 1074], by halving and doubling (exact). A table look-up
 * instead of fdlibm's INSERT_WORDS / SET_HIGH_WORD, and comparisons of |x| with the doubles whose
 * high word fdlibm compares with, instead of GET_HIGH_WORD: the same results (for a double,
 * hx ≥ H ⟺ |x| ≥ the double with high word H and low word 0), at about half the cost in V8,
 * where a trip through a typed array's words is dearer than the arithmetic.
 */
const POW2 = new Float64Array(1074 + 1024);
POW2[1074] = 1;
for (let e = 1; e <= 1023; e++) POW2[1074 + e] = POW2[1073 + e]! * 2;
for (let e = 1; e <= 1074; e++) POW2[1074 - e] = POW2[1075 - e]! / 2;
const pow2 = (e: number) => POW2[e + 1074]!;

const LN2_HI = 6.93147180369123816490e-1; // 0x3FE62E42 FEE00000
const LN2_LO = 1.90821492927058770002e-10; // 0x3DEA39EF 35793C76
const INV_LN2 = 1.44269504088896338700e0; // 0x3FF71547 652B82FE
const O_THRESHOLD = 7.09782712893383973096e2; // 0x40862E42 FEFA39EF
const U_THRESHOLD = -7.45133219101941108420e2; // 0xC0874910 D52D3051
const TWO_M1000 = 9.33263618503218878990e-302; // 2^-1000
const TWO_1023 = 8.988465674311579539e307;
// |x| against the doubles of fdlibm's high-word tests (high word, low word 0)
const ABOVE_709 = fromWords(0x40862e42, 0); // hx ≥ 0x40862E42
const ABOVE_HALF_LN2 = fromWords(0x3fd62e43, 0); // hx > 0x3FD62E42
const BELOW_1P5_LN2 = fromWords(0x3ff0a2b2, 0); // hx < 0x3FF0A2B2
const ABOVE_56_LN2 = fromWords(0x4043687a, 0); // hx ≥ 0x4043687A
const TWO_M28 = pow2(-28); // hx < 0x3E300000
const TWO_M54 = pow2(-54); // hx < 0x3C900000
const P1 = 1.66666666666666019037e-1;
const P2 = -2.77777777770155933842e-3;
const P3 = 6.61375632143793436117e-5;
const P4 = -1.65339022054652515390e-6;
const P5 = 4.13813679705723846039e-8;

/**
 * fdlibm's k for e^x = 2^k e^r, r = x − k ln 2 (e_exp.c, s_expm1.c): 0 for |x| ≤ ln 2 / 2, ±1 up to
 * 1.5 ln 2, round(x / ln 2) beyond. The functions below are split where fdlibm has one function
 * so that each is small enough for V8 to inline (460 bytes of bytecode): a call it does not
 * inline returns its double boxed, which costs more than the arithmetic.
 */
function reductionK(x: number): number {
  const ax = Math.abs(x);
  if (ax < ABOVE_HALF_LN2) return 0;
  if (ax < BELOW_1P5_LN2) return x < 0 ? -1 : 1;
  return (INV_LN2 * x + (x < 0 ? -0.5 : 0.5)) | 0;
}

/** e^x, fdlibm's e_exp.c. */
export function exp(x: number): number {
  const ax = Math.abs(x);
  if (!(ax < ABOVE_709)) {
    if (x !== x) return x; // NaN
    if (x > O_THRESHOLD) return Infinity;
    if (x < U_THRESHOLD) return 0;
  }
  if (ax < TWO_M28) return 1 + x;
  if (x === 1) return Math.E; // V8's correction of the last bit
  return expReduced(x, reductionK(x));
}

/** e^x for k = reductionK(x): r = hi − lo, where k·LN2_HI is exact (for k = ±1, fdlibm's x ∓ ln2HI). */
function expReduced(x: number, k: number): number {
  const hi = x - k * LN2_HI;
  const lo = k * LN2_LO;
  const r = k === 0 ? x : hi - lo;
  const t = r * r;
  const c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((r * c) / (c - 2) - r);
  const y = 1 - (lo - (r * c) / (2 - c) - hi);
  if (k >= -1021) return k === 1024 ? y * 2 * TWO_1023 : y * pow2(k);
  return y * pow2(k + 1000) * TWO_M1000;
}

const TWO54 = 1.8014398509481984e16;
const LG1 = 6.666666666666735130e-1;
const LG2 = 3.999999999940941908e-1;
const LG3 = 2.857142874366239149e-1;
const LG4 = 2.222219843214978396e-1;
const LG5 = 1.818357216161805012e-1;
const LG6 = 1.531383769920937332e-1;
const LG7 = 1.479819860511658591e-1;

/** Natural logarithm, fdlibm's e_log.c. */
export function log(x: number): number {
  let hx = highWord(x);
  let k = 0;
  if (hx < 0x00100000) {
    if (x === 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54; // subnormal: scale up
    x *= TWO54;
    hx = highWord(x);
  }
  if (hx >= 0x7ff00000) return x + x;
  const i = ((hx & 0x000fffff) + 0x95f64) & 0x100000;
  const scale = (hx >> 20) - 1023 + (i >> 20);
  k += scale;
  hx &= 0x000fffff;
  x *= pow2(-scale); // x or x/2 in [√2/2, √2): fdlibm sets the exponent bits, this is the same
  const f = x - 1;
  if ((0x000fffff & (2 + hx)) < 3) {
    // −2^-20 ≤ f < 2^-20
    if (f === 0) return k === 0 ? 0 : k * LN2_HI + k * LN2_LO;
    const r = f * f * (0.5 - 0.33333333333333333 * f);
    return k === 0 ? f - r : k * LN2_HI - (r - k * LN2_LO - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const r = t2 + t1;
  if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {
    const hfsq = 0.5 * f * f;
    if (k === 0) return f - (hfsq - s * (hfsq + r));
    return k * LN2_HI - (hfsq - (s * (hfsq + r) + k * LN2_LO) - f);
  }
  if (k === 0) return f - s * (f - r);
  return k * LN2_HI - (s * (f - r) - k * LN2_LO - f);
}

const Q1 = -3.33333333333331316428e-2;
const Q2 = 1.58730158725481460165e-3;
const Q3 = -7.93650757867487942473e-5;
const Q4 = 4.00821782732936239552e-6;
const Q5 = -2.01099218183624371326e-7;

/** e^x − 1, fdlibm's s_expm1.c. */
export function expm1(x: number): number {
  const ax = Math.abs(x);
  if (!(ax < ABOVE_56_LN2)) {
    if (x !== x) return x; // NaN
    if (x > O_THRESHOLD) return Infinity;
    if (x < 0) return -1;
  }
  if (ax < TWO_M54) return x;
  return expm1Reduced(x, reductionK(x));
}

/** e^x − 1 for k = reductionK(x), r = x − k ln 2 as hi − lo with its rounding error c. */
function expm1Reduced(x: number, k: number): number {
  const hi = x - k * LN2_HI;
  const lo = k * LN2_LO;
  const r = k === 0 ? x : hi - lo;
  const c = k === 0 ? 0 : hi - r - lo;
  const hfx = 0.5 * r;
  const hxs = r * hfx;
  const r1 = 1 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
  const t = 3 - r1 * hfx;
  const e0 = hxs * ((r1 - t) / (6 - r * t));
  if (k === 0) return r - (r * e0 - hxs);
  const e = r * (e0 - c) - c - hxs;
  if (k === -1) return 0.5 * (r - e) - 0.5;
  if (k === 1) return r < -0.25 ? -2 * (e - (r + 0.5)) : 1 + 2 * (r - e);
  if (k <= -2 || k > 56) {
    const y = 1 - (e - r);
    return (k === 1024 ? y * 2 * TWO_1023 : y * pow2(k)) - 1;
  }
  if (k < 20) return (1 - pow2(-k) - (e - r)) * pow2(k); // 1 − 2^-k is exact
  return (r - (e + pow2(-k)) + 1) * pow2(k);
}

/**
 * Hyperbolic tangent, fdlibm's s_tanh.c. Its expm1 arguments, 2^-27 ≤ |±2x| < 44, skip expm1's
 * special cases, so it goes to the reduction directly.
 */
export function tanh(x: number): number {
  const ax = Math.abs(x);
  let z: number;
  if (ax < 22) {
    if (ax < TWO_M28) return x;
    const y = ax >= 1 ? 2 * ax : -2 * ax; // one call site: V8 inlines it once, not twice
    const t = expm1Reduced(y, reductionK(y));
    z = ax >= 1 ? 1 - 2 / (t + 2) : -t / (t + 2);
  } else if (x !== x) {
    return x;
  } else {
    z = 1;
  }
  return x < 0 ? -z : z;
}

const S1 = -1.66666666666666324348e-1;
const S2 = 8.33333333332248946124e-3;
const S3 = -1.98412698298579493134e-4;
const S4 = 2.75573137070700676789e-6;
const S5 = -2.50507602534068634195e-8;
const S6 = 1.58969099521155010221e-10;

/** sin(x + y) on [−π/4, π/4], y the tail of x (iy = 0: y is 0). */
function kernelSin(x: number, y: number, iy: number): number {
  if ((highWord(x) & 0x7fffffff) < 0x3e400000) return x; // |x| < 2^-27
  const z = x * x;
  const v = z * x;
  const r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
  if (iy === 0) return x + v * (S1 + z * r);
  return x - (z * (0.5 * y - v * r) - y - v * S1);
}

const C1 = 4.16666666666666019037e-2;
const C2 = -1.38888888888741095749e-3;
const C3 = 2.48015872894767294178e-5;
const C4 = -2.75573143513906633035e-7;
const C5 = 2.08757232129817482790e-9;
const C6 = -1.13596475577881948265e-11;

/** cos(x + y) on [−π/4, π/4], y the tail of x. */
function kernelCos(x: number, y: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix < 0x3e400000) return 1; // |x| < 2^-27
  const z = x * x;
  const r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
  if (ix < 0x3fd33333) return 1 - (0.5 * z - (z * r - x * y)); // |x| < 0.3
  const qx = ix > 0x3fe90000 ? 0.28125 : fromWords(ix - 0x00200000, 0); // x/4
  return 1 - qx - (0.5 * z - qx - (z * r - x * y));
}

const NPIO2_HW = [
  0x3ff921fb, 0x400921fb, 0x4012d97c, 0x401921fb, 0x401f6a7a, 0x4022d97c, 0x4025fdbb, 0x402921fb,
  0x402c463a, 0x402f6a7a, 0x4031475c, 0x4032d97c, 0x40346b9c, 0x4035fdbb, 0x40378fdb, 0x403921fb,
  0x403ab41b, 0x403c463a, 0x403dd85a, 0x403f6a7a, 0x40407e4c, 0x4041475c, 0x4042106c, 0x4042d97c,
  0x4043a28c, 0x40446b9c, 0x404534ac, 0x4045fdbb, 0x4046c6cb, 0x40478fdb, 0x404858eb, 0x404921fb,
];
const INV_PIO2 = 6.36619772367581382433e-1;
const PIO2_1 = 1.57079632673412561417e0; // first 33 bits of π/2
const PIO2_1T = 6.07710050650619224932e-11; // π/2 − PIO2_1
const PIO2_2 = 6.07710050630396597660e-11; // next 33 bits
const PIO2_2T = 2.02226624879595063154e-21;
const PIO2_3 = 2.02226624871116645580e-21; // next 33 bits
const PIO2_3T = 8.47842766036889956997e-32;
/** Largest |x| (high word) that the Cody–Waite reduction below takes: about 2^19·π/2. */
const MEDIUM_LIMIT = 0x413921fb;

// What the last reduce() left: x − n·π/2 as head + tail (fdlibm's y[0], y[1]); kept here rather
// than in a returned object so that sin and cos allocate nothing.
let reducedHead = 0;
let reducedTail = 0;

/**
 * n with x − n·π/2 = reducedHead + reducedTail in [−π/4, π/4]; fdlibm's e_rem_pio2.c for
 * π/4 < |x| ≤ 2^19·π/2.
 */
function reduce(x: number, hx: number, ix: number): number {
  if (ix < 0x4002d97c) {
    // |x| < 3π/4: n = ±1
    const sign = hx > 0 ? 1 : -1;
    let z = x - sign * PIO2_1;
    let head: number;
    if (ix !== 0x3ff921fb) {
      head = z - sign * PIO2_1T;
      reducedTail = z - head - sign * PIO2_1T;
    } else {
      z -= sign * PIO2_2;
      head = z - sign * PIO2_2T;
      reducedTail = z - head - sign * PIO2_2T;
    }
    reducedHead = head;
    return sign;
  }
  const t = Math.abs(x);
  const n = (t * INV_PIO2 + 0.5) | 0;
  let r = t - n * PIO2_1;
  let w = n * PIO2_1T; // good to 85 bits
  let head = r - w;
  if (!(n < 32 && ix !== NPIO2_HW[n - 1])) {
    const j = ix >> 20;
    if (j - ((highWord(head) >> 20) & 0x7ff) > 16) {
      // second round, good to 118 bits
      let u = r;
      w = n * PIO2_2;
      r = u - w;
      w = n * PIO2_2T - (u - r - w);
      head = r - w;
      if (j - ((highWord(head) >> 20) & 0x7ff) > 49) {
        // third round, 151 bits
        u = r;
        w = n * PIO2_3;
        r = u - w;
        w = n * PIO2_3T - (u - r - w);
        head = r - w;
      }
    }
  }
  reducedTail = r - head - w;
  if (hx < 0) {
    reducedHead = -head;
    reducedTail = -reducedTail;
    return -n;
  }
  reducedHead = head;
  return n;
}

/**
 * sin x, fdlibm's s_sin.c, for |x| ≤ 2^19·π/2 ≈ 8.2e5; beyond, Math.sin (fdlibm reduces those
 * with a 1,200-bit 2/π that no caller here needs: the spectrum's draws are angles in [0, 2π)).
 */
export function sin(x: number): number {
  const hx = highWord(x);
  const ix = hx & 0x7fffffff;
  if (ix <= 0x3fe921fb) return kernelSin(x, 0, 0);
  if (ix >= 0x7ff00000) return x - x;
  if (ix > MEDIUM_LIMIT) return Math.sin(x);
  switch (reduce(x, hx, ix) & 3) {
    case 0:
      return kernelSin(reducedHead, reducedTail, 1);
    case 1:
      return kernelCos(reducedHead, reducedTail);
    case 2:
      return -kernelSin(reducedHead, reducedTail, 1);
    default:
      return -kernelCos(reducedHead, reducedTail);
  }
}

/** cos x, fdlibm's s_cos.c, for |x| ≤ 2^19·π/2; beyond, Math.cos (see sin). */
export function cos(x: number): number {
  const hx = highWord(x);
  const ix = hx & 0x7fffffff;
  if (ix <= 0x3fe921fb) return kernelCos(x, 0);
  if (ix >= 0x7ff00000) return x - x;
  if (ix > MEDIUM_LIMIT) return Math.cos(x);
  switch (reduce(x, hx, ix) & 3) {
    case 0:
      return kernelCos(reducedHead, reducedTail);
    case 1:
      return -kernelSin(reducedHead, reducedTail, 1);
    case 2:
      return -kernelCos(reducedHead, reducedTail);
    default:
      return kernelSin(reducedHead, reducedTail, 1);
  }
}

/**
 * The integer nearest log₂ x for finite x > 0, exactly: Math.round(Math.log2(x)) but without the
 * engine's log2, whose last bit can move a result next to m + ½ across it. With x = f·2^m,
 * f in [1, 2), log₂ x rounds up iff f ≥ √2, and no double lies between √2 and Math.SQRT2 (its
 * rounding, from above), so comparing f with Math.SQRT2 decides it exactly.
 */
export function nearestLog2(x: number): number {
  let shift = 0;
  if (x < 2.2250738585072014e-308) {
    x *= TWO54; // subnormal: make it normal
    shift = 54;
  }
  const e = (highWord(x) >>> 20) - 1023;
  return x * pow2(-e) >= Math.SQRT2 ? e - shift + 1 : e - shift;
}
