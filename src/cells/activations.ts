/** The logistic sigmoid σ(x) = 1 / (1 + e^{−x}), one definition for the forward, tangent and backward steps. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * σ'(x) = σ(x)·σ(−x), the slope of the sigmoid at the pre-activation x, with t = e^{−|x|}:
 * σ(x)σ(−x) = t / (1 + t)². Not σ(1 − σ) from the activation: 1 − σ(x) cancels for x ≫ 0
 * (relative error ≈ ε e^{x}, exactly 0 from x ≈ 36.7 on) while the true value e^{−|x|} is a
 * normal float up to |x| ≈ 708. Relative error a few ε wherever the result is normal.
 */
export function sigmoidSlope(x: number): number {
  const t = Math.exp(-Math.abs(x));
  const d = 1 + t;
  return t / (d * d);
}

/**
 * tanh'(x) = sech² x = 4t² / (1 + t²)² with t = e^{−|x|}, from the pre-activation x; computed
 * as (2t / (1 + t²))² so that 4e^{−2|x|} is formed by one correctly rounded square even where
 * it is subnormal. Not 1 − tanh²(x) from the activation: that has relative error
 * ≈ 2ε cosh²(x) (6e-4 at |x| = 15) and is exactly 0 from |x| ≈ 18.7 on, while the true value
 * ≈ 4e^{−2|x|} is a normal float up to |x| ≈ 354. Relative error a few ε wherever it is normal.
 */
export function tanhSlope(x: number): number {
  const t = Math.exp(-Math.abs(x));
  const q = (2 * t) / (1 + t * t);
  return q * q;
}
