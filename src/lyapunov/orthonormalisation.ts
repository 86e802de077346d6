import type { ReflectorStore } from '../linalg/kernels.js';
import { Rng } from '../linalg/random.js';
import { identityBlock, randomOrthonormal } from '../linalg/orthonormal.js';
import { SpectrumError } from './errors.js';
import { countZeroRows, rowsByDecreasingNorm } from '../linalg/matrix-rows.js';
import type { ResolvedSpectrumOptions } from './spectrum-options.js';
import type { FormedJacobian, JacobianSystem, TangentSystem } from './system.js';
import { exp, log, nearestLog2 } from '../linalg/libm.js';

/**
 * Ratio max/min of R's diagonal at which an interval of unnormalised steps is judged too long:
 * the smallest direction then carries ≈ 16 − 8 = 8 correct digits, and the interval is halved.
 */
const GUARD_RATIO = 1e8;

/**
 * Between QRs a column is rescaled by a power of two (exact, and it commutes with the tangent
 * map) once its largest entry leaves [2^−SCALE_BOUND, 2^SCALE_BOUND], so that a long product of
 * Jacobians neither underflows nor overflows; the scale is added back to log R_ii.
 */
const SCALE_BOUND = 400;

/**
 * The batch's orthonormal bases and their re-orthonormalisation. `q` holds each trajectory's
 * basis (n×k blocks) for the tangent map, which writes its image to `z`; `orthonormalise` factors
 * Z = Q'R (R_ii > 0), keeps Q' as the next basis and leaves log R_ii in `logR`. Either Q' is formed
 * (explicit) or it stays as the QR's Householder reflectors and the next step's dense Jacobian is
 * multiplied by them inside the kernel (`multipliesJacobian`: then the tangent map is not called).
 * Between QRs `advance` takes the unnormalised image as the next basis; a conditioning guard
 * halves the interval when R's diagonal spreads too far, and then the interval is redone from its
 * start when the caller can rewind the system (`orthonormalise` returns false).
 *
 * Which exponents are −∞. Only a direction the Jacobian really annihilates: an image with d
 * rows that are exactly zero (a dead relu unit: φ' = 0 zeroes its row of J, in every layer's
 * stacking) lies in an (n − d)-dimensional subspace, so of its k columns the last k − (n − d)
 * have no component left — their R_ii is rounding noise, their exponent −∞. Over an interval of
 * several steps d is the most zero rows of any one step's image (the rank of a product is at
 * most the least rank of its factors). Every other R_ii, however small, is a real contraction
 * and gives a finite, possibly large negative exponent: saturated tanh and sigmoid units give
 * one-step contractions far below any relative threshold one could set.
 */
export class Orthonormalisation {
  q: Float64Array;
  z: Float64Array;
  /** log R_ii of the last orthonormalisation, B×k (trajectory-major); −∞ for an annihilated direction. */
  readonly logR: Float64Array;
  /** Steps the last orthonormalisation covered (1 + the unnormalised steps before it). */
  lastInterval = 0;
  qrCount = 0;
  /** Times the guard halved the interval, and how many of those redid the interval that was too long. */
  qrGuardFired = 0;
  qrRedone = 0;
  private qrEvery: number;
  private unnormalised = 0;
  private readonly store: ReflectorStore | null;
  private stored = false;
  private readonly jacobian: Float64Array;
  private readonly rDiag: Float64Array;
  /** log of the powers of two taken out of each column since the last QR, B×k. */
  private readonly logScale: Float64Array;
  /** Most exactly-zero rows of any image since the last QR, per trajectory. */
  private readonly zeroRows: Int32Array;
  /** The bases at the start of the interval, kept for a redo (qrEvery > 1 only). */
  private readonly start: Float64Array;
  /** Whether rows are sorted before each QR (not in compat mode: the authors' QR does not). */
  private readonly sortRows: boolean;
  /** Per trajectory, the row order of its last QR: the reflectors' coordinates (reflector path only; views of one array). */
  private readonly reflectorOrders: Int32Array[];
  private readonly order: Int32Array;
  private readonly rowNorms: Float64Array;
  private readonly sortScratch: Int32Array;
  /** The system's Jacobian as the terms of a formed matrix, which the kernel forms (reflector path, sorted rows only), or null. */
  private readonly formed: FormedJacobian | null;
  /** The formed Jacobian's coefficients and diagonal of one trajectory. */
  private readonly coef: Float64Array;
  private readonly diagonal: Float64Array;
  /** The image with its rows in sorted order (the kernel sorts the Jacobian's on the reflector path). */
  private readonly sorted: Float64Array;

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
    this.logScale = new Float64Array(system.batch * k);
    this.zeroRows = new Int32Array(system.batch);
    this.start = new Float64Array(run.qrEvery > 1 ? system.batch * block : 0);
    this.sortRows = run.record.compat === null && k > 1;
    const orders = new Int32Array(run.reflectors ? system.batch * system.dim : 0);
    this.reflectorOrders = Array.from({ length: run.reflectors ? system.batch : 0 }, (_, b) => orders.subarray(b * system.dim, (b + 1) * system.dim));
    this.order = new Int32Array(system.dim);
    this.rowNorms = new Float64Array(system.dim);
    this.sortScratch = new Int32Array(system.dim);
    this.sorted = new Float64Array(this.sortRows ? block : 0);
    const formed = run.reflectors && this.sortRows ? (system as JacobianSystem).formedJacobian : undefined;
    this.formed = formed ?? null;
    this.coef = new Float64Array(formed === undefined ? 0 : formed.gates * system.dim);
    this.diagonal = new Float64Array(formed === undefined ? 0 : system.dim);
  }

  /** Whether the basis is held as reflectors that multiply the Jacobian themselves. */
  get multipliesJacobian(): boolean {
    return this.stored;
  }

  /** Steps per interval now: qrEvery, or less once the guard has halved it. */
  get interval(): number {
    return this.qrEvery;
  }

  /** An interval starts: keep its bases for a redo. */
  begin(): void {
    if (this.start.length > 0) this.start.set(this.q);
  }

  /** The tangent image becomes the next basis without re-orthonormalisation. */
  advance(): void {
    this.noteZeroRows();
    this.rescaleColumns();
    this.swap();
    this.unnormalised++;
  }

  /**
   * QR of every trajectory's tangent image; `step` (the index of the interval's last step among
   * the averaged steps, negative in the transient or warm-up) names it in errors. Returns false
   * when the guard rejected the interval and `redo` allows redoing it: the bases are then back at
   * the interval's start, the interval halved, and the caller rewinds the system and steps again.
   */
  orthonormalise(step: number, redo = false): boolean {
    const { dim: n, batch } = this.system;
    const { k, kernels } = this.run;
    const { rDiag, store } = this;
    if (!this.stored) this.noteZeroRows();
    if (this.stored && this.formed !== null) kernels.setFormedWeight(store!, this.formed.weight, this.formed.gates);
    let worstRatio = 1;
    for (let b = 0; b < batch; b++) {
      const zb = this.z.subarray(b * n * k, (b + 1) * n * k);
      if (this.stored) {
        this.reflectorStep(b);
      } else {
        const block = this.sortedImage(zb);
        if (store === null) {
          kernels.qrPositive(block, n, k, rDiag);
        } else {
          kernels.qrReflectors(block, store, b, rDiag);
          if (this.sortRows) this.reflectorOrders[b]!.set(this.order);
        }
        this.unsortImage(block, zb);
      }
      worstRatio = Math.max(worstRatio, this.takeLogs(b, step));
    }
    this.qrCount += batch;
    const interval = this.unnormalised + 1;
    this.unnormalised = 0;
    this.logScale.fill(0);
    this.zeroRows.fill(0);
    const tooLong = worstRatio > GUARD_RATIO && interval > 1;
    if (tooLong) {
      this.qrEvery = Math.max(1, Math.floor(Math.min(this.qrEvery, interval) / 2));
      this.qrGuardFired++;
      if (redo) {
        this.qrRedone++;
        this.q.set(this.start);
        return false;
      }
    }
    this.stored = store !== null;
    this.swap();
    this.lastInterval = interval;
    return true;
  }

  /**
   * An n×k image with its rows sorted by decreasing norm, for the QR (`unsortImage` puts Q's
   * rows back; R is the same, since a row permutation P gives PZ = (PQ)R). Householder QR of a
   * row-graded matrix — saturated units give rows of 1e-10 beside rows of 1 — loses the small
   * rows' relative accuracy unless the large rows come first (Powell & Reid 1969; Cox & Higham,
   * BIT 38, 1998): unsorted, the sum rule of a saturated GRU (H = 64, U(−3, 3)) was off by 0.03
   * nats/step, sorted it holds to 1e-12. Modified Gram–Schmidt does not depend on the order.
   */
  private sortedImage(z: Float64Array): Float64Array {
    if (!this.sortRows) return z;
    const n = this.system.dim;
    const k = this.run.k;
    const { order, sorted } = this;
    rowsByDecreasingNorm(z, n, k, 1, n, order, this.rowNorms, this.sortScratch);
    for (let j = 0; j < k; j++) gatherColumn(z, j * n, n, order, sorted);
    return sorted;
  }

  private unsortImage(block: Float64Array, z: Float64Array): void {
    if (block === z) return;
    const n = this.system.dim;
    const { order } = this;
    for (let j = 0; j < this.run.k; j++) scatterColumn(block, j * n, n, order, z);
  }

  /**
   * The step of trajectory b's stored basis by its Jacobian. Sorted, in the coordinates of the
   * reflectors: the Jacobian's columns in the order of the last QR (the basis is Pᵀ·Q' with Q'
   * held by the reflectors), its rows sorted by decreasing norm (the rows of Z = J·Q have J's row
   * norms when k = n), and that order kept for the next step; the kernel does both. Sets
   * zeroRows[b], J's exactly-zero rows, on the way.
   */
  private reflectorStep(b: number): void {
    const n = this.system.dim;
    const { jacobian: m, rDiag, store, formed } = this;
    const kernels = this.run.kernels;
    const order = this.reflectorOrders[b]!;
    if (this.sortRows && formed !== null) {
      formed.terms(b, this.coef, this.diagonal);
      this.zeroRows[b] = kernels.formedReflectorStep(this.coef, formed.hasDiagonal ? this.diagonal : null, store!, b, rDiag, order);
      return;
    }
    (this.system as JacobianSystem).formJacobian(b, m);
    if (this.sortRows) {
      this.zeroRows[b] = kernels.sortedReflectorStep(m, store!, b, rDiag, order);
    } else {
      this.zeroRows[b] = countZeroRows(m, n, n, n, 1);
      kernels.reflectorStep(m, store!, b, rDiag);
    }
  }

  /** logR of trajectory b from rDiag and the interval's scales; returns max/min of the R_ii of the directions not annihilated. */
  private takeLogs(b: number, step: number): number {
    const { k, firstTrajectory } = this.run;
    const annihilated = Math.max(0, k - (this.system.dim - this.zeroRows[b]!));
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < k; i++) {
      const r = this.rDiag[i]!;
      if (!Number.isFinite(r)) {
        throw new SpectrumError(
          `the tangent map gave non-finite vectors in trajectory ${firstTrajectory + b} ${step < 0 ? 'in the transient' : `at averaged step ${step}`} (R_${i + 1}${i + 1} = ${r}): ` +
            'the Jacobian has entries beyond the floating-point range — check the weights',
        );
      }
      if (i >= k - annihilated) {
        this.logR[b * k + i] = -Infinity;
        continue;
      }
      // The columns' scales differ: compare the R_ii of the unscaled product, in logs.
      const logR = log(r) + this.logScale[b * k + i]!;
      this.logR[b * k + i] = logR;
      lo = Math.min(lo, logR);
      hi = Math.max(hi, logR);
    }
    return lo === Infinity ? 1 : exp(hi - lo);
  }

  /** zeroRows = max(zeroRows, exactly-zero rows of each trajectory's image in z). */
  private noteZeroRows(): void {
    const { dim: n, batch } = this.system;
    const k = this.run.k;
    for (let b = 0; b < batch; b++) {
      const rows = countZeroRows(this.z, n, k, 1, n, b * n * k);
      if (rows > this.zeroRows[b]!) this.zeroRows[b] = rows;
    }
  }

  /** Brings each column of z whose largest entry left [2^−400, 2^400] back to ~1 by a power of two. */
  private rescaleColumns(): void {
    const { dim: n, batch } = this.system;
    const k = this.run.k;
    const z = this.z;
    for (let c = 0; c < batch * k; c++) {
      const o = c * n;
      let max = 0;
      for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(z[o + i]!));
      if (max === 0 || !Number.isFinite(max)) continue;
      const e = nearestLog2(max);
      if (Math.abs(e) < SCALE_BOUND) continue;
      const factor = 2 ** -e;
      for (let i = 0; i < n; i++) z[o + i] = z[o + i]! * factor;
      this.logScale[c] = this.logScale[c]! + e * Math.LN2;
    }
  }

  private swap(): void {
    const swap = this.q;
    this.q = this.z;
    this.z = swap;
  }
}

/** to[at + p] = from[at + order[p]] for p < n: one column of a column-major block, rows in `order`; four per pass. */
function gatherColumn(from: Float64Array, at: number, n: number, order: Int32Array, to: Float64Array): void {
  let p = 0;
  for (; p + 4 <= n; p += 4) {
    to[at + p] = from[at + order[p]!]!;
    to[at + p + 1] = from[at + order[p + 1]!]!;
    to[at + p + 2] = from[at + order[p + 2]!]!;
    to[at + p + 3] = from[at + order[p + 3]!]!;
  }
  for (; p < n; p++) to[at + p] = from[at + order[p]!]!;
}

/** to[at + order[p]] = from[at + p] for p < n: gatherColumn undone; four per pass. */
function scatterColumn(from: Float64Array, at: number, n: number, order: Int32Array, to: Float64Array): void {
  let p = 0;
  for (; p + 4 <= n; p += 4) {
    to[at + order[p]!] = from[at + p]!;
    to[at + order[p + 1]!] = from[at + p + 1]!;
    to[at + order[p + 2]!] = from[at + p + 2]!;
    to[at + order[p + 3]!] = from[at + p + 3]!;
  }
  for (; p < n; p++) to[at + order[p]!] = from[at + p]!;
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
