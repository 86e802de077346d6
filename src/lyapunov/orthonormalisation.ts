import type { ReflectorStore } from '../linalg/kernels.js';
import { Rng } from '../linalg/random.js';
import { identityBlock, randomOrthonormal } from '../linalg/orthonormal.js';
import { SpectrumError } from './errors.js';
import type { ResolvedSpectrumOptions } from './spectrum-options.js';
import type { JacobianSystem, TangentSystem } from './system.js';

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

/**
 * The batch's orthonormal bases and their re-orthonormalisation. `q` holds each trajectory's
 * basis (n×k blocks) for the tangent map, which writes its image to `z`; `orthonormalise` factors
 * Z = Q'R (R_ii > 0), keeps Q' as the next basis and leaves log R_ii in `logR`. Either Q' is formed
 * (explicit) or it stays as the QR's Householder reflectors and the next step's dense Jacobian is
 * multiplied by them inside the kernel (`multipliesJacobian`: then the tangent map is not called).
 * Between QRs `advance` takes the unnormalised image as the next basis; a conditioning guard halves
 * the interval when R's diagonal spreads too far.
 */
export class Orthonormalisation {
  q: Float64Array;
  z: Float64Array;
  /** log R_ii of the last orthonormalisation, B×k (trajectory-major); −∞ for a collapsed direction. */
  readonly logR: Float64Array;
  /** Steps the last orthonormalisation covered (1 + the unnormalised steps before it). */
  lastInterval = 0;
  qrCount = 0;
  qrGuardFired = 0;
  private qrEvery: number;
  private unnormalised = 0;
  private readonly store: ReflectorStore | null;
  private stored = false;
  private readonly jacobian: Float64Array;
  private readonly rDiag: Float64Array;
  private readonly norms: Float64Array;
  private readonly collapse: number;

  constructor(private readonly system: TangentSystem, private readonly run: ResolvedSpectrumOptions) {
    const { k, kernels } = run;
    const block = system.dim * k;
    this.q = initialBases(system, run);
    this.z = new Float64Array(system.batch * block);
    this.logR = new Float64Array(system.batch * k);
    this.qrEvery = run.qrEvery;
    // With reflectors, each trajectory's basis lives in the store after the first QR, and each step
    // forms the dense Jacobian; the first step still multiplies the explicit initial basis.
    this.store = run.reflectors ? kernels.createReflectorStore(system.dim, k, system.batch) : null;
    this.jacobian = new Float64Array(run.reflectors ? system.dim * system.dim : 0);
    this.rDiag = new Float64Array(k);
    this.norms = new Float64Array(k);
    this.collapse = COLLAPSE[kernels.precision];
  }

  /** Whether the basis is held as reflectors that multiply the Jacobian themselves. */
  get multipliesJacobian(): boolean {
    return this.stored;
  }

  /** Whether the step just taken ends the current interval of unnormalised steps. */
  get due(): boolean {
    return this.unnormalised + 1 >= this.qrEvery;
  }

  /** The tangent image becomes the next basis without re-orthonormalisation. */
  advance(): void {
    this.swap();
    this.unnormalised++;
  }

  /** QR of every trajectory's tangent image; `step` (averaged steps done, 0 in the transient) names it in errors. */
  orthonormalise(step: number): void {
    const { dim: n, batch } = this.system;
    const { k, kernels } = this.run;
    const { rDiag, norms, store } = this;
    let worstRatio = 1;
    for (let b = 0; b < batch; b++) {
      const zb = this.z.subarray(b * n * k, (b + 1) * n * k);
      if (store === null) {
        kernels.qrPositive(zb, n, k, rDiag, norms);
      } else if (this.stored) {
        (this.system as JacobianSystem).formJacobian(b, this.jacobian);
        kernels.reflectorStep(this.jacobian, store, b, rDiag, norms);
      } else {
        kernels.qrReflectors(zb, store, b, rDiag, norms);
      }
      worstRatio = Math.max(worstRatio, this.takeLogs(b, step));
    }
    this.qrCount += batch;
    this.stored = store !== null;
    this.swap();
    this.lastInterval = this.unnormalised + 1;
    this.unnormalised = 0;
    if (worstRatio > GUARD_RATIO && this.qrEvery > 1) {
      this.qrEvery = Math.max(1, Math.floor(this.qrEvery / 2));
      this.qrGuardFired++;
    }
  }

  /** logR of trajectory b from rDiag, after the overflow and collapse tests; returns max/min of the live R_ii. */
  private takeLogs(b: number, step: number): number {
    const { k, firstTrajectory } = this.run;
    let lo = Infinity;
    let hi = 0;
    for (let i = 0; i < k; i++) {
      const r = this.rDiag[i]!;
      if (!Number.isFinite(r) || !Number.isFinite(this.norms[i]!)) {
        throw new SpectrumError(
          `tangent dynamics overflowed in trajectory ${firstTrajectory + b} at step ${step} (R_${i + 1}${i + 1} = ${r}); ` +
            'the network is diverging — check the weights, or lower qrEvery',
        );
      }
      // A direction the Jacobian maps to (numerically) nothing, e.g. through a dead relu
      // unit: its exponent is −∞, not the log of rounding noise.
      const collapsed = r <= this.collapse * this.norms[i]!;
      if (!collapsed) {
        lo = Math.min(lo, r);
        hi = Math.max(hi, r);
      }
      this.logR[b * k + i] = collapsed ? -Infinity : Math.log(r);
    }
    return hi / lo;
  }

  private swap(): void {
    const swap = this.q;
    this.q = this.z;
    this.z = swap;
  }
}

/**
 * The batch's initial bases, B×n×k: the first k identity columns, or Haar-random from `seed`,
 * trajectory b drawing what trajectory firstTrajectory + b of the whole batch would.
 */
function initialBases(system: TangentSystem, run: ResolvedSpectrumOptions): Float64Array {
  const { k, kernels, firstTrajectory, initialBasis } = run;
  const n = system.dim;
  const bases = new Float64Array(system.batch * n * k);
  const rng = new Rng(run.seed);
  // Skip the draws of the trajectories before this part of the batch (randomOrthonormal draws n·k normals each).
  const skipped = new Float64Array(initialBasis === 'random' && firstTrajectory > 0 ? n * k : 0);
  for (let b = 0; b < firstTrajectory && skipped.length > 0; b++) rng.fillNormal(skipped);
  for (let b = 0; b < system.batch; b++) {
    bases.set(initialBasis === 'identity' ? identityBlock(n, k) : randomOrthonormal(kernels, rng, n, k), b * n * k);
  }
  return bases;
}
