import type { LinalgKernels } from '../../linalg/kernels.js';
import { Rng } from '../../linalg/random.js';
import { checkInteger } from '../../errors.js';
import { checkFiniteState, SpectrumError } from '../errors.js';
import { Orthonormalisation } from '../orthonormalisation.js';
import { BENETTIN_DEFAULTS, resolveSpectrumOptions, type LogBase } from '../spectrum-options.js';
import type { TangentSystem } from '../system.js';
import { ClvAngles } from './angles.js';
import { checkClvMemory, clvSamples, defaultClvBudget, type ClvShape } from './memory.js';
import { StepBlocks } from './step-blocks.js';
import { log } from '../../linalg/libm.js';

export interface ClvOptions {
  /** Steps T whose CLVs are computed (and whose local growth rates are reported). */
  window: number;
  /** Steps W run forward after the window, whose R factors bring the backward iteration onto the CLVs. */
  backwardTransient: number;
  /** Steps run first and discarded (the Gram–Schmidt basis converges). Default 0. */
  transient?: number;
  /** Number of vectors k (1 ≤ k ≤ n). Default: all n. */
  k?: number;
  /** Vectors, angles and where the CLVs live are sampled every this many steps of the window. Default: ⌊T/100⌋, at least 1. */
  every?: number;
  /** Seed of the initial Gram–Schmidt basis and of the backward iteration's random start. Default 0. */
  seed?: number;
  initialBasis?: 'random' | 'identity';
  /** Logarithm base of the growth rates. Default 'e'. */
  logBase?: LogBase;
  kernels?: LinalgKernels;
  /** Unstable directions for the subspace angle. Default: how many of the forward exponents are positive. */
  unstable?: number;
  /** Storage budget in bytes (R factors, vectors, growth rates), refused before allocation. Default: a quarter of the machine's memory. */
  maxBytes?: number;
  /** Index of this system's first trajectory in a larger batch (its random draws). Default 0. */
  firstTrajectory?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface ClvResult {
  dim: number;
  k: number;
  batch: number;
  window: number;
  backwardTransient: number;
  transient: number;
  every: number;
  /** e.g. 'nats/step'. */
  units: string;
  /** Window positions (steps after the transient) of the samples: 0, every, 2·every, … */
  times: number[];
  /** CLV_i of trajectory b at sample s: column i of vectors(b, s), an n×k column-major block of unit vectors (signs arbitrary). */
  vectors(b: number, s: number): Float64Array;
  /** growth[(b·T + p)·k + i]: log ‖J_t·CLV_i(t)‖ at window position p (state t = transient + p), in `units`. */
  growth: Float64Array;
  /** Mean over the window and the batch of log R_ii (the Gram–Schmidt estimate of the exponents), in `units`. */
  forwardExponents: number[];
  /** Angles at the samples (radians): between CLV_i and CLV_{i+1}, and between the unstable and the other CLVs' spans. */
  angles: ClvAngles;
}

/**
 *     covariantLyapunovVectors(system: TangentSystem, options: ClvOptions): ClvResult
 *
 * The covariant Lyapunov vectors (CLVs) of each of the system's B trajectories along a window of
 * T steps, by the method of Ginelli et al. (2007, 2013). CLV_i(t) is the direction that grows
 * like λ_i forward and backward in time: J_t·CLV_i(t) is parallel to CLV_i(t+1), and the mean of
 * log ‖J_t·CLV_i(t)‖ (the local growth rate) over time is λ_i. Unlike the Gram–Schmidt vectors of
 * `lyapunovSpectrum` (orthonormal by construction, and only the first one covariant) they are not
 * orthogonal, and angles between them near 0 are how hyperbolicity fails.
 *
 * Method. Forward: after `transient` steps, J_t·Q_t = Q_{t+1}R_{t+1} (QR every step, as in
 * `lyapunovSpectrum`), keeping R_{t+1} = Q_{t+1}ᵀ(J_t Q_t) for the T steps of the window and W =
 * `backwardTransient` steps more, and Q_t at the samples. Backward: from a random upper
 * triangular C, C_t = R_{t+1}⁻¹·C_{t+1} with columns normalised (kernels.triangularSolve), over
 * the W steps (C converges to the CLVs' coordinates like e^{−(λ_i − λ_{i+1})W}) and then the
 * window; CLV_i(t) = Q_t·c_i(t), and ‖R_{t+1}c_i(t)‖ = 1/‖R_{t+1}⁻¹c_i(t+1)‖ is the stretching
 * factor. Storage (checked against `maxBytes` first): (T + W)·B·k(k+1)/2 doubles of R and
 * (T/every)·B·n·k of vectors.
 *
 * - F. Ginelli, P. Poggi, A. Turchi, H. Chaté, R. Livi, A. Politi, Phys. Rev. Lett. 99, 130601 (2007).
 * - F. Ginelli, H. Chaté, R. Livi, A. Politi, J. Phys. A 46, 254005 (2013).
 *
 * Example (the Hénon map; the mean growth along CLV_1, CLV_2 ≈ 0.419, −1.623):
 *
 *     import { henonMap, covariantLyapunovVectors, clvSummary } from 'rnn-lyapunov';
 *     const r = covariantLyapunovVectors(henonMap({ batch: 4 }), { transient: 1000, window: 10_000, backwardTransient: 100 });
 *     console.log(clvSummary(r).exponents); // [0.420…, −1.624…]
 */
export function covariantLyapunovVectors(system: TangentSystem, options: ClvOptions): ClvResult {
  const { window, backwardTransient } = options;
  checkInteger('window', window, 1);
  checkInteger('backwardTransient', backwardTransient, 0);
  const every = options.every ?? Math.max(1, Math.floor(window / 100));
  checkInteger('every', every, 1, window);
  const run = resolveSpectrumOptions(system, {
    ...options, steps: window + backwardTransient, qrEvery: 1, basis: 'explicit', sumRule: false,
  }, BENETTIN_DEFAULTS);
  const { dim: n, batch } = system;
  const { k, transient } = run;
  const shape: ClvShape = { batch, dim: n, k, window, backwardTransient, every };
  checkClvMemory(shape, options.maxBytes ?? defaultClvBudget(), options.maxBytes === undefined ? 'a quarter of the memory' : 'maxBytes');
  const samples = clvSamples(window, every);
  const packed = (k * (k + 1)) / 2;
  const rFactors = new StepBlocks(batch * packed, window + backwardTransient);
  const vectors = new StepBlocks(n * k, batch * samples);
  const logR = forwardPass(system, run.kernels, new Orthonormalisation(system, run), { transient, window, every, samples, rFactors, vectors, progress: run.progress, firstTrajectory: run.firstTrajectory });
  const scale = 1 / (system.dt * (run.record.logBase === 'e' ? 1 : log(run.record.logBase)));
  const forwardExponents = logR.map((sum) => (sum * scale) / (window * batch));
  const unstable = options.unstable ?? forwardExponents.filter((l) => l > 0).length;
  checkInteger('unstable', unstable, 0, k);
  const growth = new Float64Array(batch * window * k);
  const angles = new ClvAngles(batch, samples, k, unstable, run.kernels);
  const seeds = new Rng(run.seed ^ 0x5eed);
  for (let b = 0; b < run.firstTrajectory; b++) seeds.uniform();
  for (let b = 0; b < batch; b++) {
    backwardPass(run.kernels, b, { n, k, window, backwardTransient, every, samples, rFactors, vectors, growth, angles, scale, seed: seeds.uniform() * 2 ** 32, trajectory: run.firstTrajectory + b });
  }
  const baseName = run.record.logBase === 'e' ? 'nats' : run.record.logBase === 2 ? 'bits' : 'log10';
  return {
    dim: n, k, batch, window, backwardTransient, transient, every, units: `${baseName}/${system.timeUnit}`,
    times: Array.from({ length: samples }, (_, s) => s * every),
    vectors: (b, s) => vectors.block(b * samples + s), growth, forwardExponents, angles,
  };
}

interface ForwardStorage {
  transient: number;
  window: number;
  every: number;
  samples: number;
  rFactors: StepBlocks;
  vectors: StepBlocks;
  progress: (done: number) => void;
  firstTrajectory: number;
}

/**
 * The forward pass: the QR iteration of `lyapunovSpectrum` with qrEvery = 1, keeping each step's
 * R after the transient (packed by columns, trajectory after trajectory) and Q at the samples.
 * Returns Σ log R_ii over the window and the batch, per i.
 */
function forwardPass(system: TangentSystem, kernels: LinalgKernels, basis: Orthonormalisation, store: ForwardStorage): number[] {
  const { dim: n, batch } = system;
  const k = basis.logR.length / batch;
  const { transient, window, every, samples, rFactors, vectors } = store;
  const total = transient + rFactors.count;
  const image = new Float64Array(batch * n * k);
  const full = new Float64Array(k * k);
  const logSums = new Array<number>(k).fill(0);
  for (let t = 0; t < total; t++) {
    const p = t - transient;
    if (p >= 0 && p < window && p % every === 0) {
      for (let b = 0; b < batch; b++) vectors.block(b * samples + p / every).set(basis.q.subarray(b * n * k, (b + 1) * n * k));
    }
    system.step(t);
    checkFiniteState(system, t, store.firstTrajectory);
    system.tangent(basis.q, k, basis.z);
    if (p >= 0) image.set(basis.z);
    basis.begin();
    basis.orthonormalise(p);
    store.progress(t + 1);
    if (p < 0) continue;
    const r = rFactors.block(p);
    for (let b = 0; b < batch; b++) {
      // R = Q_{t+1}ᵀ·(J_t Q_t): Q's column-major n×k block is Qᵀ row-major.
      kernels.matmulBlock(basis.q.subarray(b * n * k, (b + 1) * n * k), k, n, image.subarray(b * n * k, (b + 1) * n * k), k, full);
      const packed = r.subarray((b * k * (k + 1)) / 2);
      for (let j = 0; j < k; j++) {
        if (basis.logR[b * k + j] === -Infinity) {
          throw new SpectrumError(
            `the Jacobian annihilates direction ${j + 1} of trajectory ${store.firstTrajectory + b} at step ${t} (an image with exactly zero rows, such as dead relu units): ` +
              `CLVs from ${j + 1} on are undefined; ask for k ≤ ${j} (fewer where other steps annihilate more)`,
          );
        }
        for (let i = 0; i <= j; i++) packed[(j * (j + 1)) / 2 + i] = full[j * k + i]!;
        if (p < window) logSums[j] += log(Math.abs(full[j * k + j]!));
      }
    }
  }
  return logSums;
}

interface BackwardStorage {
  n: number;
  k: number;
  window: number;
  backwardTransient: number;
  every: number;
  samples: number;
  rFactors: StepBlocks;
  vectors: StepBlocks;
  growth: Float64Array;
  angles: ClvAngles;
  scale: number;
  seed: number;
  trajectory: number;
}

/**
 * The backward pass of trajectory b: C ← R⁻¹C (normalised) from the end of the backward
 * transient down to the window's start; growth rates at every window step, the vectors
 * V = Q·C (over the stored Q) and their angles at the samples.
 */
function backwardPass(kernels: LinalgKernels, b: number, s: BackwardStorage): void {
  const { n, k, window, every, samples, rFactors, vectors, growth, angles, scale } = s;
  const packed = (k * (k + 1)) / 2;
  const c = new Float64Array(k * k);
  const rng = new Rng(s.seed);
  for (let j = 0; j < k; j++) for (let i = 0; i <= j; i++) c[j * k + i] = rng.normal();
  const norms = new Float64Array(k);
  const q = new Float64Array(n * k);
  for (let p = rFactors.count - 1; p >= 0; p--) {
    kernels.triangularSolve(rFactors.block(p).subarray(b * packed, (b + 1) * packed), k, c, norms);
    for (let i = 0; i < k; i++) {
      if (!(norms[i]! > 0 && Number.isFinite(norms[i]!))) {
        throw new SpectrumError(`the backward iteration of trajectory ${s.trajectory} lost CLV ${i + 1} at window step ${p} (‖R⁻¹c‖ = ${norms[i]}): R is numerically singular there; ask for fewer vectors k`);
      }
    }
    if (p >= window) continue;
    for (let i = 0; i < k; i++) growth[(b * window + p) * k + i] = -log(norms[i]!) * scale;
    if (p % every !== 0) continue;
    const v = vectors.block(b * samples + p / every);
    q.set(v);
    // CLV_j = Σ_{l ≤ j} C_lj·q_l.
    v.fill(0);
    for (let j = 0; j < k; j++) {
      for (let l = 0; l <= j; l++) {
        const x = c[j * k + l]!;
        for (let i = 0; i < n; i++) v[j * n + i] += x * q[l * n + i]!;
      }
    }
    angles.add(b, p / every, c);
  }
}
