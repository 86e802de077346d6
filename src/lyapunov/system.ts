/**
 * What the spectrum algorithm needs from a dynamical system, and nothing more: a batch of B
 * independent trajectories that can be stepped, and the tangent map of the last step.
 * Cells (RNN, LSTM, GRU) and the built-in test maps (Hénon, logistic, Lorenz-63, linear)
 * all implement it; the QR iteration knows nothing about LSTMs.
 */
export interface TangentSystem {
  /** State dimension n of one trajectory. */
  readonly dim: number;
  /** Number of independent trajectories B. */
  readonly batch: number;
  /** Time per step: exponents are reported per step divided by dt (1 for maps and RNNs). */
  readonly dt: number;
  /** Name of the time unit the exponents are per ('step' for maps, 'time unit' for flows). */
  readonly timeUnit: string;
  /** Current states, B×n: trajectory b at [b*n, (b+1)*n). Read-only to callers. */
  readonly state: Float64Array;
  /**
   * Advance every trajectory by one step. t counts steps from the start of the run
   * (driven systems read their input at t); the tangent map then refers to this step.
   */
  step(t: number): void;
  /**
   * out_b = J_b · Q_b for every trajectory b, J_b the Jacobian ∂s_{t+1}/∂s_t of the last step.
   * q and out hold B consecutive n×k blocks (block b at offset b*n*k, column-major inside).
   * Must be O(n²k) or better: never assemble J in here.
   */
  tangent(q: Float64Array, k: number, out: Float64Array): void;
}

/** Systems may offer the exact log|det J_b| of the last step (for the sum rule) in closed form. */
export interface LogDetSystem extends TangentSystem {
  /** out[b] = log|det J_b| of the last step, for every trajectory b. */
  logAbsDet(out: Float64Array): void;
}

export function hasLogAbsDet(system: TangentSystem): system is LogDetSystem {
  return typeof (system as Partial<LogDetSystem>).logAbsDet === 'function';
}

/**
 * Systems whose Jacobian of the last step is cheap to form densely (O(n²) per trajectory, as
 * for a one-layer cell, whose J is a formed matrix) may offer it: the spectrum then multiplies it
 * by the last QR's reflectors instead of forming Q (see SpectrumOptions.basis).
 */
export interface JacobianSystem extends TangentSystem {
  /** out = J_b, n×n row-major, for trajectory b of the last step. */
  formJacobian(b: number, out: Float64Array): void;
  /** The same J_b as its terms, where it is a formed matrix (one cell layer), for the kernels to form. */
  readonly formedJacobian?: FormedJacobian;
}

/**
 * J_b = Σ_g diag(coef_b[g·n ..+ n])·W_g, plus diag(d_b) when `hasDiagonal`, W_g the rows g·n ..+ n
 * of one G·n×n weight: what LinalgKernels.formedReflectorStep forms, entry for entry as
 * formJacobian does.
 */
export interface FormedJacobian {
  readonly weight: Float64Array;
  readonly gates: number;
  readonly hasDiagonal: boolean;
  /** coef (G·n) and, with hasDiagonal, diagonal (n) of trajectory b's J_b of the last step. */
  terms(b: number, coef: Float64Array, diagonal: Float64Array): void;
}

export function canFormJacobian(system: TangentSystem): system is JacobianSystem {
  return typeof (system as Partial<JacobianSystem>).formJacobian === 'function';
}

/**
 * Systems whose next step depends only on what they can hand out and take back (the state, and
 * any part of it kept outside `state`) may offer it: the conditioning guard then redoes an
 * interval that was too long, exactly, from its start (see SpectrumOptions.qrEvery).
 */
export interface RewindableSystem extends TangentSystem {
  /** Everything the next step depends on, copied into `into` when it is given (and of the right length). */
  saveState(into?: Float64Array): Float64Array;
  /** Back to a state `saveState` returned: the next step is again the one that followed it. */
  restoreState(saved: Float64Array): void;
}

export function canRewind(system: TangentSystem): system is RewindableSystem {
  const s = system as Partial<RewindableSystem>;
  return typeof s.saveState === 'function' && typeof s.restoreState === 'function';
}

/** saveState / restoreState of a system whose next step depends on `state` alone. */
export function rewindByState(state: Float64Array): Pick<RewindableSystem, 'saveState' | 'restoreState'> {
  return {
    saveState(into) {
      const out = into?.length === state.length ? into : new Float64Array(state.length);
      out.set(state);
      return out;
    },
    restoreState(saved) {
      state.set(saved);
    },
  };
}
