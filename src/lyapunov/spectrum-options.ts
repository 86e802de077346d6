import { checkInteger, OptionError } from '../errors.js';
import type { LinalgKernels, Precision } from '../linalg/kernels.js';
import { referenceKernels } from '../linalg/reference.js';
import { canFormJacobian, type TangentSystem } from './system.js';

export type LogBase = 'e' | 2 | 10;

export type BasisForm = 'auto' | 'explicit' | 'reflectors';
export const BASIS_FORMS: readonly BasisForm[] = ['auto', 'explicit', 'reflectors'];

/** Below this k/n, forming Q and applying the tangent map costs less than multiplying by reflectors. */
const REFLECTORS_FROM = 0.9;

/** Milliseconds between two progress reports. */
const PROGRESS_EVERY_MS = 250;

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
   * Householder reflectors and multiplies the system's dense Jacobian (formJacobian, or formed
   * by the kernel from formedJacobian's terms) directly, which saves forming Q: for k = n, 2n³ flops per step instead of 4n³/3 plus the tangent map's
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
  /**
   * Also collect the finite-time exponents over consecutive windows of this many averaged steps
   * (result.finiteTime); a QR closes every window. Must divide `steps`. Default: none.
   */
  ftleWindow?: number;
  /**
   * Called after every step t (0-based, the transient included) with each trajectory's Jacobian
   * of that step, b-th call for trajectory b, n×n row-major (a scratch array: copy it). A step
   * redone by the conditioning guard is reported again. Not with compat.
   */
  onJacobian?: (t: number, b: number, jacobian: Float64Array) => void;
  /** Called now and then with the number of steps done out of transient + steps. */
  onProgress?: (done: number, total: number) => void;
}

/** The options a run used, with every default filled in: what results report. */
export interface SpectrumRunRecord {
  k: number; transient: number; steps: number; qrEvery: number; seed: number;
  initialBasis: 'random' | 'identity'; logBase: LogBase; compat: 'vogt2020' | null;
  dim: number; batch: number; backend: string;
  /** Arithmetic of the tangent dynamics and the QR (the kernels' precision). */
  precision: Precision;
  /** How the basis travelled between steps (see SpectrumOptions.basis): what 'auto' chose. */
  basis: 'explicit' | 'reflectors';
  /** Worker threads the batch was split over (set by the threaded runner). */
  threads?: number;
  /** Steps per window of the finite-time exponents, when they were asked for. */
  ftleWindow?: number;
}

/** What a method's conventions change in the defaults. */
export interface MethodDefaults {
  initialBasis: 'random' | 'identity';
  logBase: LogBase;
  /** Whether the method can carry the basis as reflectors (it multiplies by J, not Jᵀ). */
  reflectorsPossible: boolean;
}

export const BENETTIN_DEFAULTS: MethodDefaults = { initialBasis: 'random', logBase: 'e', reflectorsPossible: true };

/** Validated options with every default filled in, as the step loops read them. */
export interface ResolvedSpectrumOptions {
  readonly k: number;
  readonly transient: number;
  readonly steps: number;
  readonly qrEvery: number;
  readonly seed: number;
  readonly initialBasis: 'random' | 'identity';
  readonly kernels: LinalgKernels;
  readonly firstTrajectory: number;
  readonly sumRule: boolean;
  readonly reflectors: boolean;
  readonly tracePoints: number;
  /** Steps per finite-time window, or null. */
  readonly ftleWindow: number | null;
  readonly onJacobian: NonNullable<SpectrumOptions['onJacobian']> | null;
  readonly record: SpectrumRunRecord;
  /** Reports `done` steps to onProgress at most every 250 ms, and always at the end. */
  readonly progress: (done: number) => void;
}

export function resolveSpectrumOptions(system: TangentSystem, options: SpectrumOptions, defaults: MethodDefaults): ResolvedSpectrumOptions {
  const n = system.dim;
  const k = options.k ?? n;
  const transient = options.transient ?? 0;
  const steps = options.steps;
  const qrEvery = options.qrEvery ?? 1;
  const firstTrajectory = options.firstTrajectory ?? 0;
  checkInteger('k', k, 1, n);
  checkInteger('transient', transient, 0);
  checkInteger('steps', steps, 1);
  checkInteger('qrEvery', qrEvery, 1);
  checkInteger('firstTrajectory', firstTrajectory, 0);
  if (options.compat !== undefined && options.compat !== 'vogt2020') {
    throw new OptionError(`compat is '${String(options.compat)}', expected 'vogt2020' or none`);
  }
  const ftleWindow = options.ftleWindow ?? null;
  if (ftleWindow !== null) checkFtleWindow(ftleWindow, steps);
  if (options.onJacobian !== undefined && options.compat !== undefined) {
    throw new OptionError('onJacobian reports the Jacobians of the discrete QR method, not of compat vogt2020 (which re-feeds its warm-up)');
  }
  const kernels = options.kernels ?? referenceKernels;
  const reflectors = useReflectors(system, options.basis ?? 'auto', k, qrEvery, defaults.reflectorsPossible);
  const record: SpectrumRunRecord = {
    k, transient, steps, qrEvery, seed: options.seed ?? 0, initialBasis: options.initialBasis ?? defaults.initialBasis,
    logBase: options.logBase ?? defaults.logBase, compat: options.compat ?? null,
    dim: n, batch: system.batch, backend: kernels.name, precision: kernels.precision, basis: reflectors ? 'reflectors' : 'explicit',
    ...(ftleWindow !== null ? { ftleWindow } : {}),
  };
  return {
    k, transient, steps, qrEvery, seed: record.seed, initialBasis: record.initialBasis, kernels, firstTrajectory,
    sumRule: (options.sumRule ?? n <= 64) && k === n,
    reflectors,
    tracePoints: Math.max(1, Math.min(options.tracePoints ?? 200, steps)),
    ftleWindow,
    onJacobian: options.onJacobian ?? null,
    record,
    progress: progressReporter(options.onProgress, transient + steps),
  };
}

/**
 * A window must divide the averaged steps: then every step lies in one window, all windows weigh
 * the same, and their mean is the spectrum exactly.
 */
export function checkFtleWindow(window: number, steps: number, names = { window: 'ftleWindow', steps: 'steps' }): void {
  checkInteger(names.window, window, 1, steps);
  if (steps % window !== 0) {
    const lower = steps - (steps % window);
    throw new OptionError(`${names.window} ${window} does not divide ${names.steps} ${steps}: give ${names.steps} ${lower > 0 ? `${lower} or ` : ''}${lower + window}, or a window dividing ${steps}`);
  }
}

/** Whether `basis` (with the defaults of 'auto') carries the basis as reflectors for this run. */
function useReflectors(system: TangentSystem, basis: BasisForm, k: number, qrEvery: number, methodAllows: boolean): boolean {
  if (!BASIS_FORMS.includes(basis)) {
    throw new OptionError(`basis is '${String(basis)}', expected one of ${BASIS_FORMS.map((b) => `'${b}'`).join(', ')}`);
  }
  if (basis === 'explicit') return false;
  const possible = methodAllows && canFormJacobian(system) && qrEvery === 1;
  if (basis === 'reflectors' && !possible) {
    throw new OptionError(
      "basis 'reflectors' needs a system that forms its dense Jacobian (cells: one layer, not the joint LSTM state), qrEvery = 1 and no compat mode",
    );
  }
  return possible && (basis === 'reflectors' || k >= REFLECTORS_FROM * system.dim);
}

function progressReporter(onProgress: SpectrumOptions['onProgress'], total: number): (done: number) => void {
  if (onProgress === undefined) return () => {};
  let last = Date.now();
  return (done) => {
    if (Date.now() - last > PROGRESS_EVERY_MS || done === total) {
      last = Date.now();
      onProgress(done, total);
    }
  };
}
