import type { Precision } from './precision.js';

/**
 * The small set of float64 kernels the spectrum needs, behind one interface so a faster
 * backend (WebAssembly SIMD, worker threads) can replace the reference without touching callers.
 *
 * Layout conventions used everywhere in rnn-lyapunov:
 * - a weight matrix is row-major [rows × cols], exactly like a PyTorch tensor;
 * - a *block* of k vectors of length n ("n×k block") is column-major: vector j occupies
 *   [j*n, (j+1)*n). Each tangent vector is contiguous, which suits both A·v and QR.
 */
export interface LinalgKernels {
  readonly name: string;
  /** The arithmetic the kernels compute in (their inputs and outputs are Float64Arrays either way). */
  readonly precision: Precision;
  /**
   * out = A·X (+ out when `accumulate`), A m×n row-major, X an n×k block, out an m×k block.
   * `out` must not alias `x`.
   */
  matmulBlock(
    a: Float64Array, m: number, n: number,
    x: Float64Array, k: number,
    out: Float64Array, accumulate?: boolean,
  ): void;
  /**
   * Thin QR in place: the n×k block z (k ≤ n) becomes Q with orthonormal columns, and
   * rDiag[j] = R_jj > 0 (signs moved into Q). A column that is exactly dependent gives
   * R_jj = 0 and is replaced by a unit vector orthogonal to the previous ones. When given,
   * columnNorms[j] = ‖z_j‖ of the input column (what R_jj is compared with to tell a direction
   * the dynamics annihilated from a small one), computed in the same pass over the block.
   */
  qrPositive(z: Float64Array, n: number, k: number, rDiag: Float64Array, columnNorms?: Float64Array): void;
}

/**
 * The arithmetic the kernels run in ('float64' | 'float32'): the one precision type of the
 * package, defined with training's storage precision (a leaf module without dependencies).
 * Inputs and outputs are Float64Arrays either way; 'float32' rounds the inputs to float32 and
 * computes in float32 (twice the SIMD width, looser results).
 */
export { PRECISIONS, type Precision } from './precision.js';
