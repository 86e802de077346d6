/** The logistic sigmoid σ(x) = 1 / (1 + e^{−x}), one definition for the forward, tangent and backward steps. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
