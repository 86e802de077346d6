import { Rng } from '../../linalg/random.js';
import { rewindByState, type RewindableSystem, type LogDetSystem } from '../system.js';
import { log } from '../../linalg/libm.js';

/** Logistic map x ↦ r x (1 − x); J = r (1 − 2x). At r = 4 the exponent is ln 2. */
export function logisticMap(options: { r?: number; batch?: number; seed?: number } = {}): LogDetSystem & RewindableSystem {
  const r = options.r ?? 4;
  const batch = options.batch ?? 1;
  const rng = new Rng(options.seed ?? 1);
  const state = new Float64Array(batch).map(() => rng.range(0.1, 0.9));
  const derivative = new Float64Array(batch);
  return {
    dim: 1, batch, dt: 1, timeUnit: 'step', state, ...rewindByState(state),
    step() {
      for (let i = 0; i < batch; i++) {
        const x = state[i]!;
        derivative[i] = r * (1 - 2 * x);
        state[i] = r * x * (1 - x);
      }
    },
    tangent(q, k, out) {
      for (let i = 0; i < batch; i++) for (let j = 0; j < k; j++) out[i * k + j] = derivative[i]! * q[i * k + j]!;
    },
    logAbsDet(out) {
      for (let i = 0; i < batch; i++) out[i] = log(Math.abs(derivative[i]!));
    },
  };
}
