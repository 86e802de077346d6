import type { Tape, Tensor } from './tape.js';

/**
 * The thin QR with positive diagonal of every trajectory's tangent image, on the tape.
 * z is [B·k × n]: trajectory b's rows b·k … b·k + k − 1 are the k columns of its n×k image
 * Z_b (so its block is Z_b column-major, as the kernels want it). Returns the next bases Q
 * (same layout) and log R_ii, [B × k].
 *
 * Backward (Walter & Lehmann 2018, "Algorithmic differentiation of linear algebra functions
 * with application in optimum experimental design (extended version)", arXiv:1001.1654, §3.3;
 * also Liao, Liu, Wang & Xiang 2019, "Differentiable programming tensor networks", PRX 9,
 * 031041, eq. (9)): for Z = QR with Q̄, R̄ the gradients of the outputs,
 *   M = R·R̄ᵀ − Q̄ᵀ·Q,   Z̄ = (Q̄ + Q·copyltu(M))·R⁻ᵀ,
 * where copyltu(M) is the symmetric matrix with M's lower triangle (diagonal included). Only
 * the diagonal of R leaves the node, as log R_ii, so R̄ = diag(l̄_i / R_ii). R itself is not kept:
 * the backward takes it as Qᵀ·Z (upper triangular to rounding; its strict lower part is not read).
 */
export function qrNode(tape: Tape, z: Tensor, batch: number, k: number): { q: Tensor; logDiag: Tensor } {
  const n = z.cols;
  const block = n * k;
  const rDiag = new Float64Array(batch * k);
  const q = tape.custom(z.rows, n, [z], (value) => {
    value.set(z.value);
    for (let b = 0; b < batch; b++) tape.kernels.qrPositive(value.subarray(b * block, (b + 1) * block), n, k, rDiag.subarray(b * k, (b + 1) * k));
  }, (out) => addQrGradient(z, out.value, out.grad!, null, batch, k));
  const logDiag = tape.custom(batch, k, [z], (value) => {
    for (let i = 0; i < value.length; i++) value[i] = Math.log(rDiag[i]!);
  }, (out) => addQrGradient(z, q.value, null, out.grad!, batch, k));
  return { q, logDiag };
}

/**
 * Z̄ += (Q̄ + Q·copyltu(M))·R⁻ᵀ for every trajectory, with the gradient of Q (qBar) or of log R_ii
 * (logBar) — the rule is linear in (Q̄, R̄), so the two outputs' shares add separately.
 */
function addQrGradient(z: Tensor, q: Float64Array, qBar: Float64Array | null, logBar: Float64Array | null, batch: number, k: number): void {
  const n = z.cols;
  const block = n * k;
  const zBar = z.gradient();
  const r = new Float64Array(k * k);
  const m = new Float64Array(k * k);
  const x = new Float64Array(block);
  for (let b = 0; b < batch; b++) {
    const o = b * block;
    // R = QᵀZ, R[i][j] for i ≤ j (row-major k×k); columns of a block are contiguous.
    for (let i = 0; i < k; i++) {
      for (let j = i; j < k; j++) r[i * k + j] = dot(q, o + i * n, z.value, o + j * n, n);
    }
    // M = R·R̄ᵀ − Q̄ᵀQ, with R̄ = diag(l̄ / R_ii): (R·R̄ᵀ)[i][j] = R[i][j]·l̄_j / R_jj.
    for (let i = 0; i < k; i++) {
      for (let j = 0; j <= i; j++) {
        let v = 0;
        if (logBar !== null && j >= i) v += (r[i * k + j]! * logBar[b * k + j]!) / r[j * k + j]!;
        if (qBar !== null) v -= dot(qBar, o + i * n, q, o + j * n, n);
        m[i * k + j] = v;
      }
    }
    // X = Q̄ + Q·copyltu(M): column j of X is Q̄_j + Σ_i Q_i·S[i][j], S[i][j] = M[max][min].
    x.fill(0);
    if (qBar !== null) x.set(qBar.subarray(o, o + block));
    for (let j = 0; j < k; j++) {
      for (let i = 0; i < k; i++) {
        const s = i >= j ? m[i * k + j]! : m[j * k + i]!;
        if (s === 0) continue;
        for (let p = 0; p < n; p++) x[j * n + p] = x[j * n + p]! + s * q[o + i * n + p]!;
      }
    }
    // Z̄ += X·R⁻ᵀ: each row a of Z̄'s share solves a·Rᵀ = x, i.e. R·aᵀ = xᵀ (back substitution).
    for (let p = 0; p < n; p++) {
      for (let i = k - 1; i >= 0; i--) {
        let v = x[i * n + p]!;
        for (let j = i + 1; j < k; j++) v -= r[i * k + j]! * x[j * n + p]!;
        x[i * n + p] = v / r[i * k + i]!;
      }
      for (let i = 0; i < k; i++) zBar[o + i * n + p] = zBar[o + i * n + p]! + x[i * n + p]!;
    }
  }
}

function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  let s = 0;
  for (let p = 0; p < n; p++) s += a[ao + p]! * b[bo + p]!;
  return s;
}
