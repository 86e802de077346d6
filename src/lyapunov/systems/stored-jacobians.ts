import { OptionError } from '../../errors.js';
import type { JacobianSystem, RewindableSystem } from '../system.js';

/** Per-step Jacobians J[b, t], B×T×n×n row-major: trajectory b, step t. */
export interface JacobianSequence {
  batch: number;
  steps: number;
  dim: number;
  data: Float64Array | Float32Array;
}

/**
 * A TangentSystem whose step t is the stored J[b, t] of each trajectory: the spectrum, its
 * statistics and the finite-time exponents of any model whose Jacobians were computed elsewhere
 * (an SSM layer, a custom cell, a transformer's residual stream). There is no state to follow
 * (`state` stays zero); the tangent map multiplies by J, the dense Jacobian is J itself, and a
 * step redone by the conditioning guard reads the same J again.
 */
export function storedJacobians(jacobians: JacobianSequence): JacobianSystem & RewindableSystem {
  const { batch, steps, dim: n, data } = jacobians;
  if (data.length !== batch * steps * n * n) {
    throw new OptionError(`stored Jacobians: ${data.length} values, but [B, T, n, n] = [${batch}, ${steps}, ${n}, ${n}] needs ${batch * steps * n * n}`);
  }
  const state = new Float64Array(batch * n);
  let at = -1;
  const offset = (b: number) => (b * steps + at) * n * n;
  return {
    dim: n, batch, dt: 1, timeUnit: 'step', state,
    step(t) {
      if (!(Number.isInteger(t) && t >= 0 && t < steps)) {
        throw new OptionError(`stored Jacobians hold steps 0 to ${steps - 1} (T = ${steps}), the run asked for step ${t}: lower transient + steps to at most ${steps}`);
      }
      at = t;
    },
    tangent(q, k, out) {
      for (let b = 0; b < batch; b++) {
        const j = offset(b);
        const o = b * n * k;
        for (let c = 0; c < k; c++) {
          for (let i = 0; i < n; i++) {
            let s = 0;
            for (let l = 0; l < n; l++) s += data[j + i * n + l]! * q[o + c * n + l]!;
            out[o + c * n + i] = s;
          }
        }
      }
    },
    formJacobian(b, out) {
      const j = offset(b);
      for (let i = 0; i < n * n; i++) out[i] = data[j + i]!;
    },
    // The next step is the one the caller names: nothing to save.
    saveState: () => new Float64Array(0),
    restoreState() {},
  };
}
