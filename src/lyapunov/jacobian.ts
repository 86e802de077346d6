import { canFormJacobian, type TangentSystem } from './system.js';

/**
 * The Jacobian of the last step of every trajectory, assembled by pushing identity blocks
 * through `tangent`: one n×n row-major matrix per trajectory. O(n³) per trajectory: for tests,
 * small systems and the sum rule on small n, never for the spectrum's hot loop.
 */
export function denseJacobians(system: TangentSystem): Float64Array[] {
  const { dim: n, batch } = system;
  const q = new Float64Array(batch * n * n);
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < n; j++) q[b * n * n + j * n + j] = 1;
  }
  const out = new Float64Array(batch * n * n);
  system.tangent(q, n, out);
  const jacobians: Float64Array[] = [];
  for (let b = 0; b < batch; b++) {
    // Column j of the tangent output is J·e_j: transpose the column-major block to row-major.
    const block = b * n * n;
    const jac = new Float64Array(n * n);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) jac[i * n + j] = out[block + j * n + i]!;
    }
    jacobians.push(jac);
  }
  return jacobians;
}

/**
 * Hands each trajectory's Jacobian of the step just taken (step t) to `record`, n×n row-major:
 * formed directly where the system can (O(n²)), else pushed through the tangent map (O(n³)).
 */
export function recordJacobians(system: TangentSystem, t: number, record: (t: number, b: number, jacobian: Float64Array) => void): void {
  if (canFormJacobian(system)) {
    const jacobian = new Float64Array(system.dim * system.dim);
    for (let b = 0; b < system.batch; b++) {
      system.formJacobian(b, jacobian);
      record(t, b, jacobian);
    }
    return;
  }
  denseJacobians(system).forEach((jacobian, b) => record(t, b, jacobian));
}
