import type { FloatArray } from '../precision.js';

/**
 * The dense products of training, all in one form: C = A·Bᵀ (+ C when `accumulate`), with A
 * m×k and B n×k row-major, so every entry of C is a dot product of two contiguous rows.
 * Products of another shape are brought to this one by an explicit transpose (O(size) work
 * against O(size·k) for the product). A 3×3 block of C is computed at once: nine running
 * sums kept in registers, six loads per nine multiply-adds.
 */
export function gemmNT(
  m: number, n: number, k: number,
  a: FloatArray, aOffset: number,
  b: FloatArray, bOffset: number,
  c: FloatArray, cOffset: number,
  accumulate: boolean,
): void {
  let i = 0;
  for (; i + 2 < m; i += 3) {
    const a0 = aOffset + i * k, a1 = a0 + k, a2 = a1 + k;
    const c0 = cOffset + i * n, c1 = c0 + n, c2 = c1 + n;
    let j = 0;
    for (; j + 2 < n; j += 3) {
      const b0 = bOffset + j * k, b1 = b0 + k, b2 = b1 + k;
      let s00 = 0, s01 = 0, s02 = 0, s10 = 0, s11 = 0, s12 = 0, s20 = 0, s21 = 0, s22 = 0;
      for (let p = 0; p < k; p++) {
        const y0 = b[b0 + p]!, y1 = b[b1 + p]!, y2 = b[b2 + p]!;
        const x0 = a[a0 + p]!, x1 = a[a1 + p]!, x2 = a[a2 + p]!;
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2;
        s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2;
      }
      if (accumulate) {
        c[c0 + j] += s00; c[c0 + j + 1] += s01; c[c0 + j + 2] += s02;
        c[c1 + j] += s10; c[c1 + j + 1] += s11; c[c1 + j + 2] += s12;
        c[c2 + j] += s20; c[c2 + j + 1] += s21; c[c2 + j + 2] += s22;
      } else {
        c[c0 + j] = s00; c[c0 + j + 1] = s01; c[c0 + j + 2] = s02;
        c[c1 + j] = s10; c[c1 + j + 1] = s11; c[c1 + j + 2] = s12;
        c[c2 + j] = s20; c[c2 + j + 1] = s21; c[c2 + j + 2] = s22;
      }
    }
    // Leftover columns of C (n mod 3): three rows of A against one row of B.
    for (; j < n; j++) {
      const b0 = bOffset + j * k;
      let s0 = 0, s1 = 0, s2 = 0;
      for (let p = 0; p < k; p++) {
        const y = b[b0 + p]!;
        s0 += a[a0 + p]! * y; s1 += a[a1 + p]! * y; s2 += a[a2 + p]! * y;
      }
      if (accumulate) {
        c[c0 + j] += s0; c[c1 + j] += s1; c[c2 + j] += s2;
      } else {
        c[c0 + j] = s0; c[c1 + j] = s1; c[c2 + j] = s2;
      }
    }
  }
  // Leftover rows of C (m mod 3): one row of A against three rows of B, then single dots.
  for (; i < m; i++) {
    const a0 = aOffset + i * k;
    const c0 = cOffset + i * n;
    let j = 0;
    for (; j + 2 < n; j += 3) {
      const b0 = bOffset + j * k, b1 = b0 + k, b2 = b1 + k;
      let s0 = 0, s1 = 0, s2 = 0;
      for (let p = 0; p < k; p++) {
        const x = a[a0 + p]!;
        s0 += x * b[b0 + p]!; s1 += x * b[b1 + p]!; s2 += x * b[b2 + p]!;
      }
      if (accumulate) {
        c[c0 + j] += s0; c[c0 + j + 1] += s1; c[c0 + j + 2] += s2;
      } else {
        c[c0 + j] = s0; c[c0 + j + 1] = s1; c[c0 + j + 2] = s2;
      }
    }
    for (; j < n; j++) {
      const b0 = bOffset + j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[a0 + p]! * b[b0 + p]!;
      c[c0 + j] = accumulate ? c[c0 + j]! + s : s;
    }
  }
}

export type GemmNT = typeof gemmNT;

/** out (cols×rows) = transpose of a (rows×cols), both row-major, from the given offsets. */
export function transpose(
  rows: number, cols: number,
  a: FloatArray, aOffset: number,
  out: FloatArray, outOffset: number,
): void {
  // Tiles keep both the rows read and the rows written in cache.
  const tile = 32;
  for (let i0 = 0; i0 < rows; i0 += tile) {
    const i1 = Math.min(rows, i0 + tile);
    for (let j0 = 0; j0 < cols; j0 += tile) {
      const j1 = Math.min(cols, j0 + tile);
      for (let i = i0; i < i1; i++) {
        const ai = aOffset + i * cols;
        for (let j = j0; j < j1; j++) out[outOffset + j * rows + i] = a[ai + j]!;
      }
    }
  }
}

/** sums[j] += Σ_i a[i, j] over the rows of a rows×cols row-major block. */
export function addColumnSums(rows: number, cols: number, a: FloatArray, aOffset: number, sums: FloatArray, sumsOffset: number): void {
  for (let i = 0; i < rows; i++) {
    const ai = aOffset + i * cols;
    for (let j = 0; j < cols; j++) sums[sumsOffset + j] += a[ai + j]!;
  }
}

/** a[i, j] += v[j] for every row of a rows×cols row-major block. */
export function addRowVector(rows: number, cols: number, a: FloatArray, aOffset: number, v: FloatArray, vOffset: number): void {
  for (let i = 0; i < rows; i++) {
    const ai = aOffset + i * cols;
    for (let j = 0; j < cols; j++) a[ai + j] += v[vOffset + j]!;
  }
}

/**
 * a[i] ← e^{a[i] − shift} for the n entries from aOffset (shift ≥ each of them: a softmax row's
 * maximum); returns Σ e^{a[i] − shift}, summed before a float32 array rounds the entries.
 */
export function expShifted(n: number, a: FloatArray, aOffset: number, shift: number): number {
  let sum = 0;
  for (let i = aOffset; i < aOffset + n; i++) {
    const e = Math.exp(a[i]! - shift);
    a[i] = e;
    sum += e;
  }
  return sum;
}

/** The dense operations of training, in JavaScript here and in wasm on an F32Arena (f32-arena.ts). */
export interface DenseOps {
  gemm: GemmNT;
  transpose: typeof transpose;
  addColumnSums: typeof addColumnSums;
  addRowVector: typeof addRowVector;
  expShifted: typeof expShifted;
}

export const jsDenseOps: DenseOps = { gemm: gemmNT, transpose, addColumnSums, addRowVector, expShifted };
