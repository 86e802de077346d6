import { Rng } from '../../linalg/random.js';
import { rewindByState, type RewindableSystem, type LogDetSystem } from '../system.js';
import { log } from '../../linalg/libm.js';

/** Hénon map (x, y) ↦ (1 − a x² + y, b x); J = [[−2 a x, 1], [b, 0]], det J = −b. */
export function henonMap(options: { a?: number; b?: number; batch?: number; seed?: number } = {}): LogDetSystem & RewindableSystem {
  const a = options.a ?? 1.4;
  const b = options.b ?? 0.3;
  const batch = options.batch ?? 1;
  const rng = new Rng(options.seed ?? 1);
  const state = new Float64Array(batch * 2);
  for (let i = 0; i < batch; i++) {
    state[2 * i] = rng.range(-0.1, 0.1);
    state[2 * i + 1] = rng.range(-0.1, 0.1);
  }
  const xPrev = new Float64Array(batch);
  return {
    dim: 2, batch, dt: 1, timeUnit: 'step', state, ...rewindByState(state),
    step() {
      for (let i = 0; i < batch; i++) {
        const x = state[2 * i]!;
        const y = state[2 * i + 1]!;
        xPrev[i] = x;
        state[2 * i] = 1 - a * x * x + y;
        state[2 * i + 1] = b * x;
      }
    },
    tangent(q, k, out) {
      for (let i = 0; i < batch; i++) {
        for (let j = 0; j < k; j++) {
          const o = i * 2 * k + j * 2;
          const dx = q[o]!;
          const dy = q[o + 1]!;
          out[o] = -2 * a * xPrev[i]! * dx + dy;
          out[o + 1] = b * dx;
        }
      }
    },
    logAbsDet(out) {
      out.fill(log(Math.abs(b)));
    },
  };
}
