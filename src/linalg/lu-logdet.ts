import { log } from './libm.js';

/**
 * log|det A| of an n×n row-major matrix by LU with partial pivoting in float64;
 * -Infinity when A is singular (a zero pivot). The input is not modified.
 */
export function logAbsDet(matrix: Float64Array, n: number): number {
  if (matrix.length !== n * n) {
    throw new RangeError(`logAbsDet: matrix has ${matrix.length} entries, expected n×n = ${n * n}`);
  }
  for (let i = 0; i < matrix.length; i++) {
    if (!Number.isFinite(matrix[i]!)) {
      throw new RangeError(`logAbsDet: entry (${Math.floor(i / n)}, ${i % n}) is ${matrix[i]}, expected a finite number`);
    }
  }
  const a = Float64Array.from(matrix);
  let sum = 0;
  for (let p = 0; p < n; p++) {
    let pivotRow = p;
    let pivotAbs = Math.abs(a[p * n + p]!);
    for (let i = p + 1; i < n; i++) {
      const v = Math.abs(a[i * n + p]!);
      if (v > pivotAbs) {
        pivotAbs = v;
        pivotRow = i;
      }
    }
    if (pivotAbs === 0) return -Infinity;
    if (pivotRow !== p) {
      for (let c = p; c < n; c++) {
        const tmp = a[p * n + c]!;
        a[p * n + c] = a[pivotRow * n + c]!;
        a[pivotRow * n + c] = tmp;
      }
    }
    const pivot = a[p * n + p]!;
    sum += log(pivotAbs);
    for (let i = p + 1; i < n; i++) {
      const factor = a[i * n + p]! / pivot;
      if (factor === 0) continue;
      for (let c = p + 1; c < n; c++) a[i * n + c] = a[i * n + c]! - factor * a[p * n + c]!;
    }
  }
  return sum;
}
