import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { LinalgKernels } from '../../linalg/kernels.js';

/**
 * Angles between covariant Lyapunov vectors at the samples, in radians, from their coordinates C
 * in the Gram–Schmidt basis (CLV_i = Q·c_i with Q orthonormal, so the angles are those of C's
 * columns): between CLV_i and CLV_{i+1} (in [0, π/2], the sign of a CLV being arbitrary), and the
 * smallest principal angle between the span of the `unstable` first CLVs and the span of the
 * others (NaN when either is empty). Near-zero angles are near-tangencies, where hyperbolicity fails.
 */
export class ClvAngles {
  /** pairs[(b·S + s)·(k − 1) + i]: the angle between CLV_{i+1} and CLV_{i+2} (1-based) of trajectory b at sample s. */
  readonly pairs: Float64Array;
  /** subspace[b·S + s]. */
  readonly subspace: Float64Array;
  private readonly stable: Float64Array;
  private readonly rDiag: Float64Array;

  constructor(readonly batch: number, readonly samples: number, readonly k: number, readonly unstable: number, private readonly kernels: LinalgKernels) {
    this.pairs = new Float64Array(batch * samples * Math.max(0, k - 1));
    this.subspace = new Float64Array(batch * samples).fill(Number.NaN);
    this.stable = new Float64Array(k * (k - unstable));
    this.rDiag = new Float64Array(k);
  }

  /** The angles of trajectory b at sample s from C (k×k column-major, unit columns, zero below the diagonal). */
  add(b: number, s: number, c: Float64Array): void {
    const { k, unstable } = this;
    const at = b * this.samples + s;
    for (let i = 0; i + 1 < k; i++) this.pairs[at * (k - 1) + i] = unitVectorAngle(c, i * k, (i + 1) * k, k);
    if (unstable > 0 && unstable < k) this.subspace[at] = this.subspaceAngle(c);
  }

  /**
   * cos of the smallest principal angle = the largest singular value of W_top, the first
   * `unstable` rows of an orthonormal basis W of the stable CLVs' coordinates (the unstable
   * CLVs span the first `unstable` Gram–Schmidt vectors exactly, C being upper triangular).
   */
  private subspaceAngle(c: Float64Array): number {
    const { k, unstable: u } = this;
    const m = k - u;
    const w = this.stable;
    w.set(c.subarray(u * k, k * k));
    this.kernels.qrPositive(w, k, m, this.rDiag);
    // The Gram matrix of W_top on its smaller side: u×u (W_top·W_topᵀ) or m×m (W_topᵀ·W_top).
    const side = Math.min(u, m);
    const gram = Matrix.zeros(side, side);
    for (let a = 0; a < side; a++) {
      for (let d = 0; d <= a; d++) {
        let sum = 0;
        if (u <= m) for (let j = 0; j < m; j++) sum += w[j * k + a]! * w[j * k + d]!;
        else for (let i = 0; i < u; i++) sum += w[a * k + i]! * w[d * k + i]!;
        gram.set(a, d, sum);
        gram.set(d, a, sum);
      }
    }
    const largest = side === 1 ? gram.get(0, 0) : Math.max(...new EigenvalueDecomposition(gram, { assumeSymmetric: true }).realEigenvalues);
    return Math.acos(Math.sqrt(Math.min(1, Math.max(0, largest))));
  }
}

/** The angle in [0, π/2] between the lines of two unit vectors, accurate near 0: 2·asin(‖a ∓ b‖/2). */
function unitVectorAngle(c: Float64Array, a: number, b: number, k: number): number {
  let dot = 0;
  for (let i = 0; i < k; i++) dot += c[a + i]! * c[b + i]!;
  const sign = dot < 0 ? -1 : 1;
  let squares = 0;
  for (let i = 0; i < k; i++) squares += (c[a + i]! - sign * c[b + i]!) ** 2;
  return 2 * Math.asin(Math.min(1, Math.sqrt(squares) / 2));
}
