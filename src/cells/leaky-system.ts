/**
 * What the rate network and the echo-state reservoir share: one layer of N units whose state is
 * the whole state (B×N, which is the N×B compact block the kernels take), a reset to given or zero
 * states, rewinding by the state alone, and log|det J| through the formed Jacobian (an LU, O(N³):
 * no closed form exists for D·W + c·I). Each subclass gives its step, tangent and Jacobian.
 */
import { logAbsDet } from '../linalg/lu-logdet.js';
import type { LinalgKernels } from '../linalg/kernels.js';
import { referenceKernels } from '../linalg/reference.js';
import { rewindByState, type JacobianSystem, type LogDetSystem, type RewindableSystem } from '../lyapunov/system.js';
import type { InputSource } from './model.js';
import { checkTensor, readInputStep, validateInputs } from './validate.js';

export interface LeakySystemOptions {
  kernels?: LinalgKernels;
  /** Initial states, B×N; default zeros. */
  initialState?: Float64Array;
}

/** A leaky network's system as its factory hands it out. */
export type LeakyNetworkSystem<Model> = LogDetSystem & RewindableSystem & JacobianSystem & {
  readonly model: Model;
  /** Back to the given initial states (default zeros). */
  reset(initialState?: Float64Array): void;
};

export abstract class LeakySystem implements LogDetSystem, RewindableSystem, JacobianSystem {
  abstract readonly dt: number;
  abstract readonly timeUnit: string;
  readonly dim: number;
  readonly batch: number;
  readonly state: Float64Array;
  readonly saveState: RewindableSystem['saveState'];
  readonly restoreState: RewindableSystem['restoreState'];
  protected readonly kernels: LinalgKernels;
  /** The inputs of the current step, B×I. */
  protected readonly x: Float64Array;
  private stepped = false;

  constructor(model: { inputSize: number; hiddenSize: number }, readonly inputs: InputSource, options: LeakySystemOptions) {
    validateInputs(model, inputs);
    this.dim = model.hiddenSize;
    this.batch = inputs.batch;
    this.kernels = options.kernels ?? referenceKernels;
    this.state = new Float64Array(this.batch * this.dim);
    this.x = new Float64Array(this.batch * model.inputSize);
    ({ saveState: this.saveState, restoreState: this.restoreState } = rewindByState(this.state));
    this.reset(options.initialState);
  }

  /** Back to the given initial states (default zeros). */
  reset(initialState?: Float64Array): void {
    if (initialState !== undefined) {
      checkTensor('initialState', initialState, this.state.length, `batch×dim = ${this.batch}×${this.dim}`);
      this.state.set(initialState);
    } else {
      this.state.fill(0);
    }
    this.stepped = false;
  }

  step(t: number): void {
    readInputStep(this.inputs, t, this.x);
    this.advance();
    this.stepped = true;
  }

  tangent(q: Float64Array, k: number, out: Float64Array): void {
    this.requireStep('tangent');
    const size = this.batch * this.dim * k;
    if (q.length !== size || out.length !== size) throw new RangeError(`tangent: q and out must have batch×dim×k = ${size} values`);
    this.applyTangent(q, k, out);
  }

  formJacobian(b: number, out: Float64Array): void {
    this.requireStep('formJacobian');
    this.writeJacobian(b, out);
  }

  logAbsDet(out: Float64Array): void {
    const jac = new Float64Array(this.dim * this.dim);
    for (let b = 0; b < this.batch; b++) {
      this.formJacobian(b, jac);
      out[b] = logAbsDet(jac, this.dim);
    }
  }

  /** One step of every trajectory from `state` with the inputs in `x`, keeping what the tangent needs. */
  protected abstract advance(): void;
  /** out = J_b·q_b for every trajectory (q, out: B blocks of n×k, column-major). */
  protected abstract applyTangent(q: Float64Array, k: number, out: Float64Array): void;
  /** J_b, n×n row-major. */
  protected abstract writeJacobian(b: number, out: Float64Array): void;

  private requireStep(what: string): void {
    if (!this.stepped) throw new Error(`${what}: no step taken since the system was created or reset`);
  }
}
