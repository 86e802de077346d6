import { Rng } from '../../linalg/random.js';
import { rewindByState, type RewindableSystem, type LogDetSystem } from '../system.js';
import { logAbsDet } from '../../linalg/lu-logdet.js';

/**
 * Lorenz-63 flow ẋ = σ(y − x), ẏ = x(ρ − z) − y, ż = xy − βz, integrated with classical RK4.
 * The tangent map is the exact derivative of the RK4 step (each stage's tangent is pushed
 * through the vector field's Jacobian at that stage's point), so the discrete QR method sees
 * a genuine map; exponents are reported per time unit (dt).
 */
export function lorenz63(
  options: { sigma?: number; rho?: number; beta?: number; dt?: number; batch?: number; seed?: number } = {},
): LogDetSystem & RewindableSystem {
  const sigma = options.sigma ?? 10;
  const rho = options.rho ?? 28;
  const beta = options.beta ?? 8 / 3;
  const dt = options.dt ?? 0.01;
  const batch = options.batch ?? 1;
  const rng = new Rng(options.seed ?? 1);
  const state = new Float64Array(batch * 3);
  for (let i = 0; i < batch * 3; i++) state[i] = rng.range(-1, 1) + (i % 3 === 2 ? 25 : 0);
  // The four stage points of the last step, per trajectory: [b][stage][xyz].
  const stages = new Float64Array(batch * 12);
  const f = (p: Float64Array, po: number, out: Float64Array, oo: number) => {
    const x = p[po]!, y = p[po + 1]!, z = p[po + 2]!;
    out[oo] = sigma * (y - x);
    out[oo + 1] = x * (rho - z) - y;
    out[oo + 2] = x * y - beta * z;
  };
  // Jacobian of the vector field at point p applied to v.
  const jf = (p: Float64Array, po: number, v: Float64Array, vo: number, out: Float64Array, oo: number) => {
    const x = p[po]!, y = p[po + 1]!, z = p[po + 2]!;
    const dx = v[vo]!, dy = v[vo + 1]!, dz = v[vo + 2]!;
    out[oo] = sigma * (dy - dx);
    out[oo + 1] = (rho - z) * dx - dy - x * dz;
    out[oo + 2] = y * dx + x * dy - beta * dz;
  };
  const kv = new Float64Array(12);
  const tmp = new Float64Array(3);
  const rk4 = (
    apply: (stage: number, input: Float64Array, out: Float64Array, oo: number) => void,
    start: Float64Array, so: number, out: Float64Array, oo: number,
  ) => {
    const coef = [0, 0.5, 0.5, 1];
    for (let s = 0; s < 4; s++) {
      for (let c = 0; c < 3; c++) tmp[c] = start[so + c]! + (s === 0 ? 0 : coef[s]! * dt * kv[(s - 1) * 3 + c]!);
      apply(s, tmp, kv, s * 3);
    }
    for (let c = 0; c < 3; c++) {
      out[oo + c] = start[so + c]! + (dt / 6) * (kv[c]! + 2 * kv[3 + c]! + 2 * kv[6 + c]! + kv[9 + c]!);
    }
  };
  const start = new Float64Array(3);
  const jacobian = new Float64Array(9);
  const unit = new Float64Array(3);
  const column = new Float64Array(3);
  return {
    dim: 3, batch, dt, timeUnit: 'time unit', state, ...rewindByState(state),
    step() {
      for (let b = 0; b < batch; b++) {
        start.set(state.subarray(b * 3, b * 3 + 3));
        rk4((s, p, out, oo) => {
          stages.set(p, b * 12 + s * 3);
          f(p, 0, out, oo);
        }, start, 0, state, b * 3);
      }
    },
    tangent(q, k, out) {
      for (let b = 0; b < batch; b++) {
        for (let j = 0; j < k; j++) {
          const o = (b * k + j) * 3;
          rk4((s, v, res, ro) => jf(stages, b * 12 + s * 3, v, 0, res, ro), q, o, out, o);
        }
      }
    },
    logAbsDet(out) {
      for (let b = 0; b < batch; b++) {
        for (let j = 0; j < 3; j++) {
          unit.fill(0);
          unit[j] = 1;
          rk4((s, v, res, ro) => jf(stages, b * 12 + s * 3, v, 0, res, ro), unit, 0, column, 0);
          for (let i = 0; i < 3; i++) jacobian[i * 3 + j] = column[i]!;
        }
        out[b] = logAbsDet(jacobian, 3);
      }
    },
  };
}
