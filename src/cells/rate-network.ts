/**
 * Continuous-time rate networks (Sompolinsky, Crisanti & Sommers 1988; the Lyapunov spectra of
 * Engelken, Wolf & Abbott 2023, Phys. Rev. Research 5, 043044), Euler-discretised:
 *   h ← (1 − dt)·h + dt·(W·φ(h) + W_in·x + b),  φ = tanh,  W_ij ~ N(0, g²/N),
 * chaotic for g > 1 in the large-N limit. Its Jacobian is J = (1 − dt)·I + dt·W·D(φ'(h)): the
 * tangent costs one N×N product per column, like a vanilla RNN's. Exponents are per unit time
 * (the spectrum divides the per-step logs by dt).
 */
import type { Rng } from '../linalg/random.js';
import { ModelError } from './errors.js';
import { LeakySystem, type LeakyNetworkSystem, type LeakySystemOptions } from './leaky-system.js';
import type { InputSource } from './model.js';
import { checkTensor } from './validate.js';
import { tanh } from '../linalg/libm.js';

/** A rate network: N units, I inputs; weights row-major as PyTorch's nn.RNN would store them (weight_hh = W, weight_ih = W_in). */
export interface RateModel {
  cell: 'rate';
  inputSize: number;
  /** N, the number of units. */
  hiddenSize: number;
  /** The Euler step in units of the time constant, 0 < dt ≤ 1. */
  dt: number;
  /** W, N×N. */
  weightHh: Float64Array;
  /** W_in, N×I. */
  weightIh: Float64Array;
  /** b, N; absent: no bias. */
  bias?: Float64Array;
}

export interface RateShape {
  inputSize: number;
  hiddenSize: number;
  dt: number;
  bias: boolean;
}

/**
 * A random rate network of gain g: W_ij ~ N(0, g²/N) (no self-coupling is singled out), W_in
 * ~ N(0, 1/I), and b ~ N(0, 1) when `bias`.
 */
export function randomRateModel(shape: RateShape, rng: Rng, g: number): RateModel {
  if (!(g >= 0) || !Number.isFinite(g)) throw new RangeError(`randomRateModel: g is ${g}, expected a finite number ≥ 0`);
  const { inputSize: I, hiddenSize: N } = shape;
  const model: RateModel = {
    cell: 'rate', inputSize: I, hiddenSize: N, dt: shape.dt,
    weightHh: rng.fillNormal(new Float64Array(N * N), g / Math.sqrt(N)),
    weightIh: rng.fillNormal(new Float64Array(N * I), 1 / Math.sqrt(I)),
    ...(shape.bias ? { bias: rng.fillNormal(new Float64Array(N)) } : {}),
  };
  validateRateModel(model);
  return model;
}

export function validateRateModel(model: RateModel): void {
  for (const field of ['inputSize', 'hiddenSize'] as const) {
    const v = model[field];
    if (!Number.isInteger(v) || v < 1) throw new ModelError(`rate model: ${field} is ${v}, expected a positive integer`);
  }
  if (!(model.dt > 0 && model.dt <= 1)) throw new ModelError(`rate model: dt is ${model.dt}, expected 0 < dt ≤ 1 (units of the time constant)`);
  const { inputSize: I, hiddenSize: N } = model;
  checkTensor('weight_hh (W)', model.weightHh, N * N, `[${N}, ${N}]`);
  checkTensor('weight_ih (W_in)', model.weightIh, N * I, `[${N}, ${I}]`);
  if (model.bias !== undefined) checkTensor('bias', model.bias, N, `[${N}]`);
}

export type RateSystemOptions = LeakySystemOptions;

export type RateSystem = LeakyNetworkSystem<RateModel>;

export function createRateSystem(model: RateModel, inputs: InputSource, options: RateSystemOptions = {}): RateSystem {
  return new RateNetworkSystem(model, inputs, options);
}

class RateNetworkSystem extends LeakySystem implements RateSystem {
  readonly dt: number;
  readonly timeUnit = 'time unit';
  /** φ(h) of the state before the last step, N×B. */
  private readonly phi: Float64Array;
  /** W·φ(h) + W_in·x, N×B. */
  private readonly drive: Float64Array;
  /** φ'(h) at the state before the last step, N×B: the tangent's D. */
  private readonly slope: Float64Array;
  private readonly scaled = new Map<number, Float64Array>();

  constructor(readonly model: RateModel, inputs: InputSource, options: RateSystemOptions) {
    validateRateModel(model);
    super(model, inputs, options);
    this.dt = model.dt;
    this.phi = new Float64Array(this.state.length);
    this.drive = new Float64Array(this.state.length);
    this.slope = new Float64Array(this.state.length);
  }

  protected advance(): void {
    const { model, batch: B, dim: n, state, phi, drive, slope, x, dt } = this;
    for (let i = 0; i < state.length; i++) {
      phi[i] = tanh(state[i]!);
      slope[i] = 1 - phi[i]! * phi[i]!;
    }
    this.kernels.matmulBlock(model.weightHh, n, n, phi, B, drive);
    this.kernels.matmulBlock(model.weightIh, n, model.inputSize, x, B, drive, true);
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < n; i++) {
        const at = b * n + i;
        state[at] = (1 - dt) * state[at]! + dt * (drive[at]! + (model.bias?.[i] ?? 0));
      }
    }
  }

  /** out = (1 − dt)·q + dt·W·(φ' ⊙ q), column by column. */
  protected applyTangent(q: Float64Array, k: number, out: Float64Array): void {
    const { batch: B, dim: n, dt, slope } = this;
    let scaled = this.scaled.get(k);
    if (scaled === undefined) this.scaled.set(k, (scaled = new Float64Array(B * n * k)));
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < k; j++) {
        const col = (b * k + j) * n;
        for (let i = 0; i < n; i++) scaled[col + i] = slope[b * n + i]! * q[col + i]!;
      }
    }
    this.kernels.matmulBlock(this.model.weightHh, n, n, scaled, B * k, out);
    for (let i = 0; i < out.length; i++) out[i] = dt * out[i]! + (1 - dt) * q[i]!;
  }

  /** J_b = (1 − dt)·I + dt·W·D(φ'), n×n row-major. */
  protected writeJacobian(b: number, out: Float64Array): void {
    const { dim: n, dt, slope } = this;
    const w = this.model.weightHh;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) out[i * n + j] = dt * w[i * n + j]! * slope[b * n + j]! + (i === j ? 1 - dt : 0);
    }
  }
}
