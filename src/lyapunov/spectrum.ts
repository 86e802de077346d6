import type { LinalgKernels } from '../linalg/kernels.js';
import { referenceKernels } from '../linalg/reference.js';
import { Rng } from '../linalg/random.js';
import { identityBlock, randomOrthonormal } from '../linalg/orthonormal.js';
import { canFormJacobian, hasLogAbsDet, type JacobianSystem, type TangentSystem } from './system.js';
import { denseJacobians, logAbsDet } from './jacobian.js';
import { entropyRate, kaplanYorkeDimension, mean, sampleStd } from './statistics.js';

export type LogBase = 'e' | 2 | 10;

export type BasisForm = 'auto' | 'explicit' | 'reflectors';
export const BASIS_FORMS: readonly BasisForm[] = ['auto', 'explicit', 'reflectors'];

/** Below this k/n, forming Q and applying the tangent map costs less than multiplying by reflectors. */
const REFLECTORS_FROM = 0.9;

export interface SpectrumOptions {
  /** Number of exponents k (1 ≤ k ≤ n). Default: all n. */
  k?: number;
  /** Steps run (state and basis evolved) and discarded before averaging. Default 0. */
  transient?: number;
  /** Steps averaged. */
  steps: number;
  /** Re-orthonormalise every this many steps (≥ 1); a conditioning guard shortens it. Default 1. */
  qrEvery?: number;
  /** Seed of the random orthonormal initial basis. Default 0. */
  seed?: number;
  /** Initial basis: Haar-random (default) or the first k identity columns. */
  initialBasis?: 'random' | 'identity';
  /** Logarithm base of the reported exponents. Default 'e' (nats). */
  logBase?: LogBase;
  /** Accumulate log|det J_t| for the sum rule (an O(n³) LU per step). Default: when k = n ≤ 64. */
  sumRule?: boolean;
  /** Number of points of the convergence trace. Default 200. */
  tracePoints?: number;
  /**
   * Reproduce the authors' code (docs/compat-vogt2020.md): identity initial basis, vectors
   * pushed with J_tᵀ, the transient re-feeds the first steps of the same inputs with one QR at
   * its end and the averaged steps start again at input 0, QR every step, log base 2.
   */
  compat?: 'vogt2020';
  kernels?: LinalgKernels;
  /**
   * How the orthonormal basis travels from one step to the next. 'explicit': Q is formed
   * (qrPositive) and the system's tangent map multiplies it. 'reflectors': Q stays as the QR's
   * Householder reflectors and multiplies the system's dense Jacobian (formJacobian) directly,
   * which saves forming Q: for k = n, 2n³ flops per step instead of 4n³/3 plus the tangent map's
   * (2n³ for a dense Jacobian). The same exponents to rounding. 'auto' (default): reflectors
   * when the system forms its Jacobian (cells: one layer, h only), k ≥ 0.9·n, qrEvery = 1 and
   * not in compat mode.
   */
  basis?: BasisForm;
  /**
   * Index of this system's first trajectory in a larger batch that was split (over worker
   * threads): trajectory b gets the random initial basis trajectory firstTrajectory + b of the
   * whole batch would get, so the parts together give exactly the unsplit result. Default 0.
   */
  firstTrajectory?: number;
  /** Called now and then with the number of steps done out of transient + steps. */
  onProgress?: (done: number, total: number) => void;
}

export interface SpectrumResult {
  /** Mean over the batch of each exponent, λ_1 first, in `units`. */
  exponents: number[];
  /** Sample standard deviation over the batch (0 when B = 1). */
  std: number[];
  /** Standard error of each mean: std/√B, or from 10 batch means in time when B = 1. */
  stderr: number[];
  stderrMethod: 'sequences' | 'batch-means';
  /** perSequence[b][i]: exponent i of trajectory b. */
  perSequence: number[][];
  /** e.g. 'nats/step', 'bits/step', 'nats/time unit'. */
  units: string;
  /** Running mean (1/t)Σ log R_ii averaged over the batch, at `steps[j]` averaged steps. */
  trace: { steps: number[]; exponents: number[][] };
  /** Mean over the batch of Σλ_i − ⟨log|det J_t|⟩ (k = n only; null otherwise), in `units`. */
  sumRuleResidual: number | null;
  kaplanYorke: number;
  /** True when all k exponents sum to ≥ 0, so the dimension is at least k. */
  kaplanYorkeIsLowerBound: boolean;
  /** Entropy rate Σ max(λ_i, 0), in `units`. */
  entropy: number;
  /** How many QR factorisations ran, and how often the conditioning guard shortened qrEvery. */
  qrCount: number;
  qrGuardFired: number;
  options: {
    k: number; transient: number; steps: number; qrEvery: number; seed: number;
    initialBasis: 'random' | 'identity'; logBase: LogBase; compat: 'vogt2020' | null;
    dim: number; batch: number; backend: string;
    /** How the basis travelled between steps (see SpectrumOptions.basis): what 'auto' chose. */
    basis: 'explicit' | 'reflectors';
    /** Worker threads the batch was split over (set by the threaded runner). */
    threads?: number;
  };
}

/**
 * Ratio max/min of R's diagonal at which an interval of unnormalised steps is judged too long:
 * the smallest direction then carries ≈ 16 − 8 = 8 correct digits, and the interval is halved.
 */
const GUARD_RATIO = 1e8;

/**
 * R_ii below this fraction of its column's norm before orthogonalisation is rounding noise:
 * the Jacobian has (numerically) no component left in that direction. The noise is about ε·√n
 * of the norm (ε = 2.2e-16 in float64, 1.2e-7 in float32). In float32 no bound separates the
 * two cases at every size: a real direction can fall to 1e-6 of its norm in one step (a joint
 * LSTM's last exponent) while a dead relu direction's noise reaches 1e-6 at n = 200. 1e-7 keeps
 * the real directions; in float32 some dead directions of large relu networks then come out as
 * large negative numbers (the log of rounding noise) rather than −∞. float64 separates them.
 */
const COLLAPSE = { float64: 1e-13, float32: 1e-7 } as const;

/** Blocks of steps for the batch-means error estimate of a single trajectory. */
const SEGMENTS = 10;

/**
 * What the QR iteration accumulates, per trajectory, before any statistics: enough to merge the
 * parts of a batch split over threads (concatenate trajectories, add the counts) and then compute
 * the spectrum exactly as if the batch had run in one piece. Plain data: it crosses postMessage.
 */
export interface SpectrumSums {
  /** Σ log R_ii over the averaged steps, B×k (trajectory-major). */
  logSums: Float64Array;
  /** The same sums in 10 equal blocks of steps, B×10×k (for the batch-means error when B = 1). */
  segmentSums: Float64Array;
  /** Steps in each of the 10 blocks. */
  segmentSteps: Float64Array;
  /** Σ log|det J_t| per trajectory (sum rule), or null. */
  logDetSums: Float64Array | null;
  /** Convergence trace: logSums (B×k) at each of these averaged step counts. */
  trace: { steps: number[]; logSums: Float64Array[] };
  qrCount: number;
  qrGuardFired: number;
  dt: number;
  timeUnit: string;
  options: SpectrumResult['options'];
}

/**
 * The Lyapunov spectrum of a batch of trajectories by the discrete QR (Benettin) method:
 * Z = J_t Q, Z = Q'R with R_ii > 0, λ_i = ⟨log R_ii⟩ over the averaged steps.
 */
export function lyapunovSpectrum(system: TangentSystem, options: SpectrumOptions): SpectrumResult {
  return spectrumFromSums(spectrumSums(system, options));
}

/** The QR iteration of `lyapunovSpectrum`, up to (not including) the statistics. */
export function spectrumSums(system: TangentSystem, options: SpectrumOptions): SpectrumSums {
  const n = system.dim;
  const batch = system.batch;
  const k = options.k ?? n;
  const transient = options.transient ?? 0;
  const steps = options.steps;
  const requestedQrEvery = options.qrEvery ?? 1;
  const seed = options.seed ?? 0;
  const compat = options.compat === 'vogt2020';
  const initialBasis = options.initialBasis ?? (compat ? 'identity' : 'random');
  const logBase = options.logBase ?? (compat ? 2 : 'e');
  const kernels = options.kernels ?? referenceKernels;
  const firstTrajectory = options.firstTrajectory ?? 0;
  const collapse = COLLAPSE[kernels.precision];
  checkInteger('k', k, 1, n);
  checkInteger('transient', transient, 0);
  checkInteger('steps', steps, 1);
  checkInteger('qrEvery', requestedQrEvery, 1);
  checkInteger('firstTrajectory', firstTrajectory, 0);
  if (compat && requestedQrEvery !== 1) throw new RangeError('compat vogt2020 re-orthonormalises every step: qrEvery must be 1');
  const sumRule = (options.sumRule ?? n <= 64) && k === n;
  const reflectors = useReflectors(system, options.basis ?? 'auto', k, requestedQrEvery, compat);

  const block = n * k;
  let q = new Float64Array(batch * block);
  let z = new Float64Array(batch * block);
  const rng = new Rng(seed);
  // Skip the draws of the trajectories before this part of the batch (randomOrthonormal draws n·k normals each).
  if (initialBasis === 'random') for (let b = 0; b < firstTrajectory; b++) rng.fillNormal(z.subarray(0, block));
  for (let b = 0; b < batch; b++) {
    const basis = initialBasis === 'identity' ? identityBlock(n, k) : randomOrthonormal(kernels, rng, n, k);
    q.set(basis, b * block);
  }

  const logSums = new Float64Array(batch * k);
  // With reflectors, each trajectory's basis lives in the store after the first QR, and each step
  // forms the dense Jacobian; the first step still multiplies the explicit initial basis.
  const store = reflectors ? kernels.createReflectorStore(n, k, batch) : null;
  const jacobian = new Float64Array(reflectors ? n * n : 0);
  let stored = false;
  const rDiag = new Float64Array(k);
  const norms = new Float64Array(k);
  const logDet = new Float64Array(batch);
  const logDetSums = new Float64Array(batch);
  // Batch means in time (for the error of a single trajectory): 10 equal blocks of steps.
  const segmentSums = new Float64Array(batch * SEGMENTS * k);
  const segmentSteps = new Float64Array(SEGMENTS);

  const tracePoints = Math.max(1, Math.min(options.tracePoints ?? 200, steps));
  const traceEvery = Math.max(1, Math.floor(steps / tracePoints));
  const trace = { steps: [] as number[], logSums: [] as Float64Array[] };
  let nextTrace = traceEvery;

  const total = transient + steps;
  let lastProgress = Date.now();
  let qrEvery = requestedQrEvery;
  let sinceQr = 0;
  let qrCount = 0;
  let qrGuardFired = 0;

  const orthonormalise = (accumulateFrom: number | null) => {
    let worstRatio = 1;
    const seg = accumulateFrom === null ? 0 : Math.min(SEGMENTS - 1, Math.floor((accumulateFrom * SEGMENTS) / steps));
    for (let b = 0; b < batch; b++) {
      const zb = z.subarray(b * block, (b + 1) * block);
      if (store === null) {
        kernels.qrPositive(zb, n, k, rDiag, norms);
      } else if (stored) {
        (system as JacobianSystem).formJacobian(b, jacobian);
        kernels.reflectorStep(jacobian, store, b, rDiag, norms);
      } else {
        kernels.qrReflectors(zb, store, b, rDiag, norms);
      }
      let lo = Infinity;
      let hi = 0;
      for (let i = 0; i < k; i++) {
        const r = rDiag[i]!;
        if (!Number.isFinite(r) || !Number.isFinite(norms[i]!)) {
          throw new SpectrumError(
            `tangent dynamics overflowed in trajectory ${firstTrajectory + b} at step ${accumulateFrom ?? 0} (R_${i + 1}${i + 1} = ${r}); ` +
              'the network is diverging — check the weights, or lower qrEvery',
          );
        }
        // A direction the Jacobian maps to (numerically) nothing, e.g. through a dead relu
        // unit: its exponent is −∞, not the log of rounding noise.
        const collapsed = r <= collapse * norms[i]!;
        if (!collapsed) {
          lo = Math.min(lo, r);
          hi = Math.max(hi, r);
        }
        if (accumulateFrom !== null) {
          const l = collapsed ? -Infinity : Math.log(r);
          logSums[b * k + i] = logSums[b * k + i]! + l;
          const si = (b * SEGMENTS + seg) * k + i;
          segmentSums[si] = segmentSums[si]! + l;
        }
      }
      worstRatio = Math.max(worstRatio, hi / lo);
    }
    if (accumulateFrom !== null) segmentSteps[seg] = segmentSteps[seg]! + sinceQr;
    qrCount += batch;
    stored = store !== null;
    const swap = q;
    q = z;
    z = swap;
    sinceQr = 0;
    if (worstRatio > GUARD_RATIO && qrEvery > 1) {
      qrEvery = Math.max(1, Math.floor(qrEvery / 2));
      qrGuardFired++;
    }
  };

  for (let t = 0; t < total; t++) {
    const averaged = t - transient; // index among averaged steps, negative in the transient
    // The authors' code feeds the averaged steps the inputs from the start again.
    const inputIndex = compat && averaged >= 0 ? averaged : t;
    system.step(inputIndex);
    checkFinite(system, inputIndex, firstTrajectory);
    if (compat) transposedTangent(system, q, k, z);
    else if (!stored) system.tangent(q, k, z); // with stored reflectors, orthonormalise multiplies
    if (averaged >= 0 && sumRule) {
      stepLogAbsDet(system, logDet);
      for (let b = 0; b < batch; b++) logDetSums[b] = logDetSums[b]! + logDet[b]!;
    }
    sinceQr++;
    const lastTransient = averaged === -1;
    const last = t === total - 1;
    // In compat mode the transient multiplies unnormalised vectors and orthonormalises once at its end.
    const qrDue = sinceQr >= qrEvery && !(compat && averaged < 0);
    if (qrDue || lastTransient || last) {
      orthonormalise(averaged >= 0 ? averaged : null);
      if (averaged >= 0 && (averaged + 1 >= nextTrace || last)) {
        nextTrace = averaged + 1 + traceEvery;
        trace.steps.push(averaged + 1);
        trace.logSums.push(logSums.slice());
      }
    } else {
      const swap = q;
      q = z;
      z = swap;
    }
    if (options.onProgress && (Date.now() - lastProgress > 250 || last)) {
      lastProgress = Date.now();
      options.onProgress(t + 1, total);
    }
  }

  return {
    logSums,
    segmentSums,
    segmentSteps,
    logDetSums: sumRule ? logDetSums : null,
    trace,
    qrCount,
    qrGuardFired,
    dt: system.dt,
    timeUnit: system.timeUnit,
    options: {
      k, transient, steps, qrEvery: requestedQrEvery, seed, initialBasis, logBase, compat: options.compat ?? null,
      dim: n, batch, backend: kernels.name, basis: reflectors ? 'reflectors' : 'explicit',
    },
  };
}

/** Whether `basis` (with the defaults of 'auto') carries the basis as reflectors for this run. */
function useReflectors(system: TangentSystem, basis: BasisForm, k: number, qrEvery: number, compat: boolean): boolean {
  if (!BASIS_FORMS.includes(basis)) throw new RangeError(`basis is '${String(basis)}', expected one of ${BASIS_FORMS.map((b) => `'${b}'`).join(', ')}`);
  if (basis === 'explicit') return false;
  const possible = canFormJacobian(system) && qrEvery === 1 && !compat;
  if (basis === 'reflectors' && !possible) {
    throw new RangeError(
      "basis 'reflectors' needs a system that forms its dense Jacobian (cells: one layer, not the joint LSTM state), qrEvery = 1 and no compat mode",
    );
  }
  return possible && (basis === 'reflectors' || k >= REFLECTORS_FROM * system.dim);
}

/**
 * One batch from consecutive parts of it (in trajectory order), as `spectrumSums` of the whole
 * batch would have given. With qrEvery > 1 each part's conditioning guard acts on its own
 * trajectories, so parts may re-orthonormalise at different steps: the trace keeps the steps
 * every part recorded.
 */
export function mergeSpectrumSums(parts: readonly SpectrumSums[]): SpectrumSums {
  const first = parts[0];
  if (first === undefined) throw new RangeError('mergeSpectrumSums: no parts');
  if (parts.length === 1) return first;
  const batch = parts.reduce((s, p) => s + p.options.batch, 0);
  const concat = (pick: (p: SpectrumSums) => Float64Array | undefined): Float64Array | undefined => {
    const arrays = parts.map(pick);
    if (arrays.some((a) => a === undefined)) return undefined;
    const out = new Float64Array(arrays.reduce((s, a) => s + a!.length, 0));
    let at = 0;
    for (const a of arrays) {
      out.set(a!, at);
      at += a!.length;
    }
    return out;
  };
  const steps: number[] = [];
  const logSums: Float64Array[] = [];
  for (const step of first.trace.steps) {
    const merged = concat((p) => p.trace.logSums[p.trace.steps.indexOf(step)]);
    if (merged === undefined) continue;
    steps.push(step);
    logSums.push(merged);
  }
  return {
    ...first,
    logSums: concat((p) => p.logSums)!,
    segmentSums: concat((p) => p.segmentSums)!,
    logDetSums: first.logDetSums === null ? null : concat((p) => p.logDetSums!)!,
    trace: { steps, logSums },
    qrCount: parts.reduce((s, p) => s + p.qrCount, 0),
    qrGuardFired: Math.max(...parts.map((p) => p.qrGuardFired)),
    options: { ...first.options, batch },
  };
}

/** Exponents and their statistics from the accumulated sums. */
export function spectrumFromSums(sums: SpectrumSums): SpectrumResult {
  const { logSums, segmentSums, segmentSteps, logDetSums, options } = sums;
  const { k, steps, logBase, batch } = options;
  // Exponents per time unit in the requested base.
  const scale = 1 / (sums.dt * (logBase === 'e' ? 1 : Math.log(logBase)));
  const perSequence: number[][] = [];
  for (let b = 0; b < batch; b++) {
    const row: number[] = [];
    for (let i = 0; i < k; i++) row.push((logSums[b * k + i]! / steps) * scale);
    perSequence.push(row);
  }
  const exponents: number[] = [];
  const std: number[] = [];
  const stderr: number[] = [];
  for (let i = 0; i < k; i++) {
    const column = perSequence.map((row) => row[i]!);
    exponents.push(mean(column));
    std.push(sampleStd(column));
    if (batch > 1) {
      stderr.push(sampleStd(column) / Math.sqrt(batch));
    } else {
      const segmentRates: number[] = [];
      for (let s = 0; s < SEGMENTS; s++) {
        if (segmentSteps[s]! > 0) segmentRates.push((segmentSums[s * k + i]! / segmentSteps[s]!) * scale);
      }
      stderr.push(sampleStd(segmentRates) / Math.sqrt(segmentRates.length));
    }
  }
  const trace = {
    steps: sums.trace.steps,
    exponents: sums.trace.logSums.map((row, j) => {
      const total = trajectorySums(row, batch, k);
      return Array.from(total, (v) => (v / (sums.trace.steps[j]! * batch)) * scale);
    }),
  };

  let sumRuleResidual: number | null = null;
  if (logDetSums !== null) {
    // Both sides are −∞ together when J is singular (dead relu units): they agree.
    const residuals = perSequence.map((row, b) => {
      const sum = row.reduce((s, l) => s + l, 0);
      const logDetMean = (logDetSums[b]! / steps) * scale;
      return sum === logDetMean ? 0 : sum - logDetMean;
    });
    sumRuleResidual = mean(residuals);
  }
  const ky = kaplanYorkeDimension(exponents);
  const baseName = logBase === 'e' ? 'nats' : logBase === 2 ? 'bits' : 'log10';
  return {
    exponents,
    std,
    stderr,
    stderrMethod: batch > 1 ? 'sequences' : 'batch-means',
    perSequence,
    units: `${baseName}/${sums.timeUnit}`,
    trace,
    sumRuleResidual,
    kaplanYorke: ky.value,
    kaplanYorkeIsLowerBound: ky.lowerBound,
    entropy: entropyRate(exponents),
    qrCount: sums.qrCount,
    qrGuardFired: sums.qrGuardFired,
    options,
  };
}

export class SpectrumError extends Error {
  override name = 'SpectrumError';
}

/** Σ over trajectories of each exponent's log sum. */
function trajectorySums(logSums: Float64Array, batch: number, k: number): Float64Array {
  const out = new Float64Array(k);
  for (let b = 0; b < batch; b++) for (let i = 0; i < k; i++) out[i] = out[i]! + logSums[b * k + i]!;
  return out;
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

function stepLogAbsDet(system: TangentSystem, out: Float64Array): void {
  if (hasLogAbsDet(system)) {
    system.logAbsDet(out);
    return;
  }
  const jacobians = denseJacobians(system);
  for (let b = 0; b < system.batch; b++) out[b] = logAbsDet(jacobians[b]!, system.dim);
}

function checkFinite(system: TangentSystem, t: number, firstTrajectory: number): void {
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

function checkInteger(name: string, value: number, min: number, max = Infinity): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Infinity ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`;
    throw new RangeError(`${name} must be ${range}, got ${value}`);
  }
}
