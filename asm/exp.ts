// e^x on f64x2 lanes for x ≤ 0: the exponentials of training's activations (cell-steps.ts) and
// of its softmax (row-ops.ts), which only ever need e^{−|y|} or e^{z − max}.

const LOG2E: f64 = 1.4426950408889634;
const LN2_HI: f64 = 6.93147180369123816490e-1;
const LN2_LO: f64 = 1.90821492927058770002e-10;
/** Below e^{−700} the f32 results are 0 anyway; clamping keeps 2^n a normal double. */
const MIN_EXPONENT: f64 = -700;

/**
 * e^x for x ≤ 0, lane-wise: x = n·ln 2 + r, |r| ≤ ln 2 / 2, e^r by its Taylor series to r⁸
 * (relative error < 3e-10: the results are rounded to float32, whose spacing is 6e-8 relative).
 */
@inline
export function expNonPositive(x: v128): v128 {
  // pmax(x, m) = x < m ? m : x is one instruction where max's NaN rules take several; a NaN x
  // compares false and stays NaN (the order of the operands matters).
  const y = f64x2.pmax(x, f64x2.splat(MIN_EXPONENT));
  const n = f64x2.nearest(f64x2.mul(y, f64x2.splat(LOG2E)));
  const r = f64x2.sub(f64x2.sub(y, f64x2.mul(n, f64x2.splat(LN2_HI))), f64x2.mul(n, f64x2.splat(LN2_LO)));
  let p = f64x2.splat(1.0 / 40320.0);
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 5040.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 720.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 120.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 24.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 6.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(0.5));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  // 2^n from its bits: n + 1023 + 2^52 holds the integer n + 1023 (positive: n ≥ −1010) in its
  // low mantissa bits, which the shift moves into the exponent field.
  const scale = i64x2.shl(f64x2.add(n, f64x2.splat(4503599627370496.0 + 1023.0)), 52);
  return f64x2.mul(p, scale);
}

