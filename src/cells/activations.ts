import { exp } from '../linalg/libm.js';

/**
 * The logistic sigmoid σ(x) = 1 / (1 + t) from t = e^{−x}, one definition for the forward,
 * tangent and backward steps, which keep t for the slopes (see sigmoidSlopeFromExp).
 */
export function sigmoidFromExp(t: number): number {
  return 1 / (1 + t);
}

/**
 * σ'(x) = σ(x)·σ(−x), the slope of the sigmoid at the pre-activation x, with t = e^{−|x|}:
 * σ(x)σ(−x) = t / (1 + t)². Not σ(1 − σ) from the activation: 1 − σ(x) cancels for x ≫ 0
 * (relative error ≈ ε e^{x}, exactly 0 from x ≈ 36.7 on) while the true value e^{−|x|} is a
 * normal float up to |x| ≈ 708. Relative error a few ε wherever the result is normal.
 */
export function sigmoidSlope(x: number): number {
  const t = exp(-Math.abs(x));
  const d = 1 + t;
  return t / (d * d);
}

/**
 * sigmoidSlope(x) for a step that has t = e^{−x} and s = sigmoidFromExp(t) = σ(x) already, at no
 * further exponential: σ(−x) = t / (1 + t) = t·s without cancellation, so σ' = t·s·s (relative
 * error a few ε). Where t overflows (x < −709.78) it falls back to sigmoidSlope(x).
 */
export function sigmoidSlopeFromExp(x: number, t: number, s: number): number {
  return t === Infinity ? sigmoidSlope(x) : t * s * s;
}

/** σ(−x) = 1 − σ(x) without cancellation, from t = e^{−x} and s = sigmoidFromExp(t): t·s (1 where t overflows). */
export function sigmoidComplementFromExp(t: number, s: number): number {
  return t === Infinity ? 1 : t * s;
}

/**
 * tanh'(x) = sech² x = 4t² / (1 + t²)² with t = e^{−|x|}, from the pre-activation x; computed
 * as (2t / (1 + t²))² so that 4e^{−2|x|} is formed by one correctly rounded square even where
 * it is subnormal. Not 1 − tanh²(x) from the activation: that has relative error
 * ≈ 2ε cosh²(x) (6e-4 at |x| = 15) and is exactly 0 from |x| ≈ 18.7 on, while the true value
 * ≈ 4e^{−2|x|} is a normal float up to |x| ≈ 354. Relative error a few ε wherever it is normal.
 */
export function tanhSlope(x: number): number {
  const t = exp(-Math.abs(x));
  const q = (2 * t) / (1 + t * t);
  return q * q;
}

/**
 * tanhSlope(x) for a step that has v = tanh(x) already, cheaper away from saturation:
 * (1 − v)(1 + v) where |v| ≤ 15/16 (|x| ≲ 1.72; there 1 − v² ≥ 0.12, so v's own rounding costs
 * it at most ≈ 15 ε relative), and tanhSlope(x) from the pre-activation beyond, where 1 − v²
 * would cancel.
 */
export function tanhSlopeGiven(x: number, v: number): number {
  return Math.abs(v) <= 0.9375 ? (1 - v) * (1 + v) : tanhSlope(x);
}
