import { checkFiniteState } from './errors.js';
import { recordJacobians } from './jacobian.js';
import { Orthonormalisation } from './orthonormalisation.js';
import type { ResolvedSpectrumOptions } from './spectrum-options.js';
import { SpectrumAccumulator, type SpectrumSums } from './spectrum-sums.js';
import { canRewind, type RewindableSystem, type TangentSystem } from './system.js';

/**
 * The discrete QR method (see `lyapunovSpectrum`) as a run that can be continued: `runTo`
 * advances the system and its bases to a number of averaged steps, `sums` gives what was
 * accumulated so far, and `extend` doubles the averaged steps of the same run (`untilConverged`).
 */
export class DiscreteQr {
  private readonly basis: Orthonormalisation;
  private readonly accumulator: SpectrumAccumulator;
  private readonly rewind: RewindableSystem | null;
  private saved: Float64Array | undefined;
  /** Steps taken, the transient included. */
  private t = 0;
  /** Averaged steps the run is to reach: the run's, doubled by each `extend`. */
  private steps: number;

  constructor(private readonly system: TangentSystem, private readonly run: ResolvedSpectrumOptions) {
    this.basis = new Orthonormalisation(system, run);
    this.accumulator = new SpectrumAccumulator(system, run);
    this.rewind = run.qrEvery > 1 && canRewind(system) ? system : null;
    this.steps = run.steps;
  }

  /** Runs until the averaged steps reach the run's end. */
  finish(): SpectrumSums {
    const { system, run, basis, accumulator: sums, rewind } = this;
    const total = run.transient + this.steps;
    while (this.t < total) {
      // An interval of unnormalised steps ends in a QR; the transient ends with one, so that no
      // averaged interval starts in it, and so does every finite-time window.
      const start = this.t;
      const end = Math.min(start + basis.interval, this.boundaryAfter(start));
      basis.begin();
      if (rewind !== null) this.saved = rewind.saveState(this.saved);
      for (let t = start; t < end; t++) {
        system.step(t);
        checkFiniteState(system, t, run.firstTrajectory);
        // A basis held as reflectors multiplies the Jacobian inside the QR kernel.
        if (!basis.multipliesJacobian) system.tangent(basis.q, run.k, basis.z);
        if (run.onJacobian !== null) recordJacobians(system, t, run.onJacobian);
        if (t >= run.transient && run.sumRule) sums.addLogDet();
        if (t < end - 1) basis.advance();
      }
      const averaged = end - 1 - run.transient; // index of the interval's last step among averaged steps
      if (!basis.orthonormalise(averaged, rewind !== null)) {
        // Too long for the conditioning guard: the same steps again, in shorter intervals.
        rewind!.restoreState(this.saved!);
        sums.discardInterval();
        continue;
      }
      this.t = end;
      if (averaged >= 0) sums.addInterval(averaged, basis);
      run.progress(end);
    }
    return this.sums();
  }

  /** Twice the averaged steps of the same run; `finish` then takes the new ones. */
  extend(): void {
    this.accumulator.extend();
    this.steps *= 2;
  }

  sums(): SpectrumSums {
    return this.accumulator.sums(this.basis);
  }

  /** The step at which the interval starting at `t` must end at the latest: the transient's end, a window's end, the run's end. */
  private boundaryAfter(t: number): number {
    const { transient, ftleWindow } = this.run;
    if (t < transient) return transient;
    const end = transient + this.steps;
    if (ftleWindow === null) return end;
    return Math.min(end, transient + (Math.floor((t - transient) / ftleWindow) + 1) * ftleWindow);
  }
}
