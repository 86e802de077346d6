/** Quantities derived from a Lyapunov spectrum (sorted, largest first). */

/**
 * Kaplan–Yorke dimension D = j + (λ_1 + … + λ_j) / |λ_{j+1}|, j the largest index whose partial
 * sum is non-negative. When every partial sum of the k known exponents is non-negative the
 * dimension is at least k and `lowerBound` is true.
 */
export function kaplanYorkeDimension(spectrum: readonly number[]): { value: number; lowerBound: boolean } {
  let sum = 0;
  for (let j = 0; j < spectrum.length; j++) {
    const next = sum + spectrum[j]!;
    if (next < 0) return { value: j + sum / Math.abs(spectrum[j]!), lowerBound: false };
    sum = next;
  }
  return { value: spectrum.length, lowerBound: true };
}

/** Kolmogorov–Sinai entropy rate by Pesin's formula: the sum of the positive exponents. */
export function entropyRate(spectrum: readonly number[]): number {
  let s = 0;
  for (const l of spectrum) if (l > 0) s += l;
  return s;
}

export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/**
 * Sample standard deviation (n − 1); 0 for a single value or for identical values (also
 * identical infinities, e.g. every sequence's exponent −∞), +∞ when only some are infinite.
 */
export function sampleStd(xs: readonly number[]): number {
  if (xs.length < 2 || xs.every((x) => x === xs[0])) return 0;
  if (xs.some((x) => !Number.isFinite(x))) return Infinity;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / (xs.length - 1));
}
