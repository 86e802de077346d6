import { logAbsDet } from '../linalg/lu-logdet.js';
import { denseJacobians } from './jacobian.js';
import type { Orthonormalisation } from './orthonormalisation.js';
import type { ResolvedSpectrumOptions, SpectrumRunRecord } from './spectrum-options.js';
import { hasLogAbsDet, type TangentSystem } from './system.js';

/** Blocks of steps for the batch-means error estimate of a single trajectory. */
export const SEGMENTS = 10;

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
  /**
   * The sums over each window of ftleWindow averaged steps, B×(steps/ftleWindow)×k
   * (trajectory-major, then window), or null when no finite-time exponents were asked for.
   */
  windowSums: Float64Array | null;
  /** Σ log|det J_t| per trajectory (sum rule), or null. */
  logDetSums: Float64Array | null;
  /** Convergence trace: logSums (B×k) at each of these averaged step counts. */
  trace: { steps: number[]; logSums: Float64Array[] };
  qrCount: number;
  /** Times the conditioning guard halved the interval, how many of those redid it, and the interval at the end. */
  qrGuardFired: number;
  qrRedone: number;
  finalQrEvery: number;
  dt: number;
  timeUnit: string;
  options: SpectrumRunRecord;
}

/** Builds a run's SpectrumSums: the log R_ii of each averaged orthonormalisation, log|det J_t| of each averaged step. */
export class SpectrumAccumulator {
  private readonly logSums: Float64Array;
  private readonly segmentSums: Float64Array;
  private readonly segmentSteps = new Float64Array(SEGMENTS);
  private windowSums: Float64Array | null;
  /** Averaged steps: the run's, doubled by each `extend`. */
  private steps: number;
  private readonly logDet: Float64Array;
  private readonly logDetSums: Float64Array;
  /** Σ log|det J_t| over the current interval's steps, added to logDetSums when the interval is kept. */
  private readonly pendingLogDet: Float64Array;
  private trace = { steps: [] as number[], logSums: [] as Float64Array[] };
  private traceEvery: number;
  private nextTrace: number;

  constructor(private readonly system: TangentSystem, private readonly run: ResolvedSpectrumOptions) {
    this.steps = run.steps;
    this.logSums = new Float64Array(system.batch * run.k);
    this.segmentSums = new Float64Array(system.batch * SEGMENTS * run.k);
    this.windowSums = run.ftleWindow === null ? null : new Float64Array(system.batch * (run.steps / run.ftleWindow) * run.k);
    this.logDet = new Float64Array(system.batch);
    this.logDetSums = new Float64Array(system.batch);
    this.pendingLogDet = new Float64Array(system.batch);
    this.traceEvery = Math.max(1, Math.floor(run.steps / run.tracePoints));
    this.nextTrace = this.traceEvery;
  }

  /** Adds log|det J| of the step just taken (the sum rule's right-hand side). */
  addLogDet(): void {
    const { system, logDet } = this;
    if (hasLogAbsDet(system)) {
      system.logAbsDet(logDet);
    } else {
      const jacobians = denseJacobians(system);
      for (let b = 0; b < system.batch; b++) logDet[b] = logAbsDet(jacobians[b]!, system.dim);
    }
    for (let b = 0; b < system.batch; b++) this.pendingLogDet[b] = this.pendingLogDet[b]! + logDet[b]!;
  }

  /** Forgets the log-determinants of an interval that will be redone. */
  discardInterval(): void {
    this.pendingLogDet.fill(0);
  }

  /** Adds the basis's last log R_ii, taken at averaged step `step` (0-based), and records the trace when due. */
  addInterval(step: number, basis: Orthonormalisation): void {
    const { k, ftleWindow } = this.run;
    const { steps, windowSums } = this;
    const seg = Math.min(SEGMENTS - 1, Math.floor((step * SEGMENTS) / steps));
    // The loop closes an interval at every window's end, so the whole interval lies in this window.
    const windows = ftleWindow === null ? 0 : steps / ftleWindow;
    const window = ftleWindow === null ? 0 : Math.floor(step / ftleWindow);
    for (let b = 0; b < this.system.batch; b++) {
      this.logDetSums[b] = this.logDetSums[b]! + this.pendingLogDet[b]!;
      this.pendingLogDet[b] = 0;
      for (let i = 0; i < k; i++) {
        const l = basis.logR[b * k + i]!;
        this.logSums[b * k + i] = this.logSums[b * k + i]! + l;
        const si = (b * SEGMENTS + seg) * k + i;
        this.segmentSums[si] = this.segmentSums[si]! + l;
        if (windowSums !== null) {
          const wi = (b * windows + window) * k + i;
          windowSums[wi] = windowSums[wi]! + l;
        }
      }
    }
    this.segmentSteps[seg] = this.segmentSteps[seg]! + basis.lastInterval;
    if (step + 1 >= this.nextTrace || step + 1 === steps) {
      this.nextTrace = step + 1 + this.traceEvery;
      this.trace.steps.push(step + 1);
      this.trace.logSums.push(this.logSums.slice());
    }
  }

  /**
   * Twice as many averaged steps as before, continuing the same run: the 10 blocks of the
   * batch-means error pair up into 5 and the new steps fill the other 5, the finite-time windows
   * double in number, the trace keeps every other point.
   */
  extend(): void {
    const { k, ftleWindow } = this.run;
    const { batch } = this.system;
    const half = SEGMENTS / 2;
    for (let b = 0; b < batch; b++) {
      for (let s = 0; s < SEGMENTS; s++) {
        for (let i = 0; i < k; i++) {
          const at = (b * SEGMENTS + s) * k + i;
          this.segmentSums[at] = s < half ? this.segmentSums[(b * SEGMENTS + 2 * s) * k + i]! + this.segmentSums[(b * SEGMENTS + 2 * s + 1) * k + i]! : 0;
        }
      }
    }
    for (let s = 0; s < SEGMENTS; s++) this.segmentSteps[s] = s < half ? this.segmentSteps[2 * s]! + this.segmentSteps[2 * s + 1]! : 0;
    if (this.windowSums !== null) {
      const windows = this.steps / ftleWindow!;
      const grown = new Float64Array(2 * this.windowSums.length);
      for (let b = 0; b < batch; b++) grown.set(this.windowSums.subarray(b * windows * k, (b + 1) * windows * k), 2 * b * windows * k);
      this.windowSums = grown;
    }
    this.steps *= 2;
    const kept = this.trace.steps.map((_, j) => j).filter((j) => j % 2 === 1);
    this.trace.steps = kept.map((j) => this.trace.steps[j]!);
    this.trace.logSums = kept.map((j) => this.trace.logSums[j]!);
    this.traceEvery *= 2;
    this.nextTrace = (this.trace.steps.at(-1) ?? 0) + this.traceEvery;
  }

  sums(basis: Orthonormalisation): SpectrumSums {
    return {
      logSums: this.logSums,
      segmentSums: this.segmentSums,
      segmentSteps: this.segmentSteps,
      windowSums: this.windowSums,
      logDetSums: this.run.sumRule ? this.logDetSums : null,
      trace: this.trace,
      qrCount: basis.qrCount,
      qrGuardFired: basis.qrGuardFired,
      qrRedone: basis.qrRedone,
      finalQrEvery: basis.interval,
      dt: this.system.dt,
      timeUnit: this.system.timeUnit,
      options: { ...this.run.record, steps: this.steps },
    };
  }
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
    windowSums: first.windowSums === null ? null : concat((p) => p.windowSums!)!,
    logDetSums: first.logDetSums === null ? null : concat((p) => p.logDetSums!)!,
    trace: { steps, logSums },
    qrCount: parts.reduce((s, p) => s + p.qrCount, 0),
    qrGuardFired: Math.max(...parts.map((p) => p.qrGuardFired)),
    qrRedone: Math.max(...parts.map((p) => p.qrRedone)),
    finalQrEvery: Math.min(...parts.map((p) => p.finalQrEvery)),
    options: { ...first.options, batch },
  };
}
