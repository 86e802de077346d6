import { jacobianFileBytes, jacobianFileShape, readJacobians, type JacobianFileShape } from '../io/index.js';
import { storedJacobians, type JacobianSystem, type RewindableSystem } from '../lyapunov/index.js';
import { checkMemoryBudget, defaultMemoryBudget } from './memory.js';

/**
 *     jacobianSequence(file, { memoryBudget? }): TangentSystem
 *
 * A TangentSystem fed from the per-step Jacobians of a safetensors file (`jacobians` [B, T, n, n],
 * as `spectrum --jacobians-out` writes and parallel-in-time codes read): `lyapunovSpectrum`,
 * `untilConverged` and the finite-time exponents then run on any model we do not implement.
 * The header is checked first (a floating-point [B, T, n, n]); what reading it costs — the file's
 * bytes and their float64 copy — is weighed against `memoryBudget` (default: half the memory)
 * before anything is read; a non-finite entry is refused with its place.
 *
 *     const system = jacobianSequence('jacobians.safetensors');
 *     const r = lyapunovSpectrum(system, { transient: 100, steps: system.steps - 100 });
 */
export function jacobianSequence(
  file: string, options: { memoryBudget?: { bytes: number; why: string } } = {},
): JacobianSystem & RewindableSystem & { steps: number; shape: JacobianFileShape } {
  const shape = jacobianFileShape(file);
  const { batch, steps, dim, dtype } = shape;
  const bytes = jacobianFileBytes(shape);
  checkMemoryBudget(
    `reading ${file} needs`,
    { bytes: bytes.file + bytes.decoded, parts: [[`Jacobians ${batch} × ${steps} × ${dim} × ${dim} ${dtype}, read and decoded to float64`, bytes.file + bytes.decoded]] },
    options.memoryBudget ?? defaultMemoryBudget(),
    'set --memory-budget, or cut the file into fewer trajectories or steps',
  );
  return Object.assign(storedJacobians(readJacobians(shape)), { steps, shape });
}
