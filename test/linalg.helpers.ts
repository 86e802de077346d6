// Shared by the linalg tests: invariants computed from the definition, in float64.

/** max |QᵀQ − I| of an n×k column-major block. */
export function orthogonalityError(q: Float64Array, n: number, k: number): number {
  let worst = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let r = 0; r < n; r++) s += q[i * n + r]! * q[j * n + r]!;
      worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

/** R = QᵀZ rebuilt from Q and Z (k×k, r[i + j·k] = q_i · z_j), independently of any kernel. */
export function rFromQ(q: Float64Array, z: Float64Array, n: number, k: number): Float64Array {
  const r = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let c = 0; c < n; c++) s += q[i * n + c]! * z[j * n + c]!;
      r[i + j * k] = s;
    }
  }
  return r;
}

/** out[i, j] = Σ_c A[i, c]·X[c, j], written from the index definitions (row-major A, column-major X and out). */
export function naiveProduct(a: Float64Array, m: number, n: number, x: Float64Array, k: number): Float64Array {
  const out = new Float64Array(m * k);
  for (let c = 0; c < n; c++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < k; j++) out[i + j * m] = out[i + j * m]! + a[i * n + c]! * x[c + j * n]!;
    }
  }
  return out;
}
