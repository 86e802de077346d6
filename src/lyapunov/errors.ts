import { UserError } from '../errors.js';
import type { TangentSystem } from './system.js';

/**
 * The spectrum cannot be computed for these weights and inputs: the state or the tangent dynamics
 * left the floating-point range. The user fixes it (other weights, a shorter qrEvery), so it is a
 * UserError.
 */
export class SpectrumError extends UserError {}

/** Throws a SpectrumError naming the first non-finite state component after step t. */
export function checkFiniteState(system: TangentSystem, t: number, firstTrajectory: number): void {
  const s = system.state;
  for (let i = 0; i < s.length; i++) {
    if (!Number.isFinite(s[i]!)) {
      const b = firstTrajectory + Math.floor(i / system.dim);
      throw new SpectrumError(
        `state diverged: component ${i % system.dim} of trajectory ${b} is ${s[i]} after step ${t}; ` +
          'the network or map is unstable for these weights and inputs',
      );
    }
  }
}
