import { OptionError } from '../errors.js';
import { checkFiniteState } from './errors.js';
import { denseJacobians } from './jacobian.js';
import { Orthonormalisation } from './orthonormalisation.js';
import { resolveSpectrumOptions, type MethodDefaults, type SpectrumOptions } from './spectrum-options.js';
import { SpectrumAccumulator, type SpectrumSums } from './spectrum-sums.js';
import type { TangentSystem } from './system.js';

/** The authors' conventions: identity initial basis, bits, and Jᵀ (which reflectors cannot multiply). */
const VOGT2020_DEFAULTS: MethodDefaults = { initialBasis: 'identity', logBase: 2, reflectorsPossible: false };

/**
 * `spectrumSums` as the code of Vogt et al. (2020/2022) computes it (docs/compat-vogt2020.md):
 * the vectors are pushed with J_tᵀ rather than J_t; the transient re-feeds the first `transient`
 * inputs with unnormalised vectors and one QR at its end; the averaged steps start again at
 * input 0, with a QR every step. The same sums as ours, so the same statistics follow.
 */
export function vogt2020Sums(system: TangentSystem, options: SpectrumOptions): SpectrumSums {
  const run = resolveSpectrumOptions(system, options, VOGT2020_DEFAULTS);
  if (run.qrEvery !== 1) throw new OptionError('compat vogt2020 re-orthonormalises every step: qrEvery must be 1');
  const basis = new Orthonormalisation(system, run);
  const sums = new SpectrumAccumulator(system, run);
  const step = (t: number) => {
    system.step(t);
    checkFiniteState(system, t, run.firstTrajectory);
    transposedTangent(system, basis.q, run.k, basis.z);
  };
  for (let t = 0; t < run.transient; t++) {
    step(t);
    if (t < run.transient - 1) basis.advance();
    else basis.orthonormalise(-1);
    run.progress(t + 1);
  }
  for (let t = 0; t < run.steps; t++) {
    step(t);
    if (run.sumRule) sums.addLogDet();
    basis.orthonormalise(t);
    sums.addInterval(t, basis);
    run.progress(run.transient + t + 1);
  }
  return sums.sums(basis);
}

/** out_b = J_bᵀ Q_b through the dense Jacobian: O(n³), as the authors' code does. */
function transposedTangent(system: TangentSystem, q: Float64Array, k: number, out: Float64Array): void {
  const n = system.dim;
  const jacobians = denseJacobians(system);
  for (let b = 0; b < system.batch; b++) {
    const jac = jacobians[b]!;
    const o = b * n * k;
    for (let j = 0; j < k; j++) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let r = 0; r < n; r++) s += jac[r * n + i]! * q[o + j * n + r]!;
        out[o + j * n + i] = s;
      }
    }
  }
}
