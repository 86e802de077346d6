import type { LinalgKernels } from '../../linalg/kernels.js';
import { referenceKernels } from '../../linalg/reference.js';
import { rewindByState, type RewindableSystem, type TangentSystem } from '../system.js';

/**
 * Linear map x ↦ A x (A n×n row-major). Its exponents are ln|eig_i(A)|, not the logs of
 * A's singular values, which makes it a sharp test of the QR iteration. The state is not
 * tracked (only tangent vectors matter), so it stays at zero and never overflows.
 */
export function linearMap(a: Float64Array, n: number, options: { batch?: number; kernels?: LinalgKernels } = {}): TangentSystem & RewindableSystem {
  if (a.length !== n * n) throw new RangeError(`linearMap: matrix has ${a.length} entries, expected ${n}×${n}`);
  const batch = options.batch ?? 1;
  const kernels = options.kernels ?? referenceKernels;
  const state = new Float64Array(batch * n);
  return {
    dim: n, batch, dt: 1, timeUnit: 'step', state, ...rewindByState(state),
    step() {},
    tangent(q, k, out) {
      kernels.matmulBlock(a, n, n, q, batch * k, out);
    },
  };
}
