/**
 * Echo-state networks (Jaeger 2001), in reservoirpy's form: a leaky-integrator reservoir
 *   x ← (1 − a)·x + a·tanh(W_in·u + W·x + b)
 * with a sparse random W rescaled to spectral radius `sr`, and a linear readout y = W_out·x + b_out
 * fitted by ridge regression (train/esn.ts), never by backpropagation.
 *
 * Jacobian of one driven step: J = (1 − a)·I + a·D(1 − tanh²)·W, so the tangent costs one N×N
 * product per column. The closed loop (the readout feeding the next input, u = W_out·x + b_out)
 * is again a reservoir, autonomous, with W' = W + W_in·W_out and b' = b + W_in·b_out: its exact
 * Jacobian is the same formula with W' (`closedLoopEchoState`).
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { Rng } from '../linalg/random.js';
import type { Readout } from './closed-loop.js';
import { ModelError } from './errors.js';
import { LeakySystem, type LeakyNetworkSystem, type LeakySystemOptions } from './leaky-system.js';
import type { InputSource, InputStream } from './model.js';
import { checkTensor } from './validate.js';
import { tanh } from '../linalg/libm.js';

/** A reservoir: N units, I inputs; W_in and W row-major as PyTorch's nn.RNN would store them. */
export interface EchoStateModel {
  cell: 'esn';
  inputSize: number;
  /** N, the reservoir's units. */
  hiddenSize: number;
  /** The leak rate a, 0 < a ≤ 1 (reservoirpy's `lr`). */
  leak: number;
  /** W, N×N. */
  weightHh: Float64Array;
  /** W_in, N×I. */
  weightIh: Float64Array;
  /** b, N; absent: no bias. */
  bias?: Float64Array;
}

/** How a reservoir is drawn; names and defaults as reservoirpy's `Reservoir`. */
export interface ReservoirSettings {
  /** N. */
  units: number;
  /** Spectral radius W is rescaled to. Default 1. */
  sr?: number;
  /** Leak rate a. Default 1. */
  lr?: number;
  /** W_in's scale: its non-zero entries are ±input_scaling. Default 1. */
  input_scaling?: number;
  /** b's scale: its non-zero entries are ±bias_scaling; 0: no bias. Default 1. */
  bias_scaling?: number;
  /** Fraction of W's entries that are non-zero (drawn N(0, 1)). Default 0.1. */
  rc_connectivity?: number;
  /** Fraction of W_in's (and b's) entries that are non-zero. Default 0.1. */
  input_connectivity?: number;
}

/** The largest |eigenvalue| of the N×N row-major matrix w. */
export function spectralRadius(w: Float64Array, n: number): number {
  const rows = Array.from({ length: n }, (_, i) => Array.from(w.subarray(i * n, (i + 1) * n)));
  const { realEigenvalues: re, imaginaryEigenvalues: im } = new EigenvalueDecomposition(new Matrix(rows));
  let radius = 0;
  for (let i = 0; i < re.length; i++) radius = Math.max(radius, Math.hypot(re[i]!, im[i]!));
  return radius;
}

/** A reservoir drawn from `rng` as reservoirpy draws one (normal W, Bernoulli ±1 W_in and b, each sparse). */
export function randomEchoStateModel(inputSize: number, settings: ReservoirSettings, rng: Rng): EchoStateModel {
  const { units: n, sr = 1, lr = 1, input_scaling = 1, bias_scaling = 1, rc_connectivity = 0.1, input_connectivity = 0.1 } = settings;
  const sparse = (count: number, density: number, draw: () => number) => {
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) if (rng.uniform() < density) out[i] = draw();
    return out;
  };
  const sign = () => (rng.uniform() < 0.5 ? -1 : 1);
  const weightHh = sparse(n * n, rc_connectivity, () => rng.normal());
  const radius = spectralRadius(weightHh, n);
  if (!(radius > 0)) throw new ModelError(`esn: the drawn W (units ${n}, rc_connectivity ${rc_connectivity}) has spectral radius 0; raise units or rc_connectivity`);
  for (let i = 0; i < weightHh.length; i++) weightHh[i] *= sr / radius;
  const model: EchoStateModel = {
    cell: 'esn', inputSize, hiddenSize: n, leak: lr, weightHh,
    weightIh: sparse(n * inputSize, input_connectivity, () => input_scaling * sign()),
    ...(bias_scaling === 0 ? {} : { bias: sparse(n, input_connectivity, () => bias_scaling * sign()) }),
  };
  validateEchoStateModel(model);
  return model;
}

export function validateEchoStateModel(model: EchoStateModel): void {
  for (const field of ['inputSize', 'hiddenSize'] as const) {
    const v = model[field];
    if (!Number.isInteger(v) || v < 1) throw new ModelError(`esn: ${field} is ${v}, expected a positive integer`);
  }
  if (!(model.leak > 0 && model.leak <= 1)) throw new ModelError(`esn: leak rate lr is ${model.leak}, expected 0 < lr ≤ 1`);
  const { inputSize: I, hiddenSize: N } = model;
  checkTensor('esn weight_hh (W)', model.weightHh, N * N, `[${N}, ${N}]`);
  checkTensor('esn weight_ih (W_in)', model.weightIh, N * I, `[${N}, ${I}]`);
  if (model.bias !== undefined) checkTensor('esn bias', model.bias, N, `[${N}]`);
}

/**
 * The closed loop of a reservoir and its readout (weight [I, N], bias [I]), as the autonomous
 * reservoir W' = W + W_in·W_out, b' = b + W_in·b_out (drive it with `zeroInputs`).
 */
export function closedLoopEchoState(model: EchoStateModel, readout: Readout): EchoStateModel {
  validateEchoStateModel(model);
  const { inputSize: I, hiddenSize: N } = model;
  checkTensor('readout weight', readout.weight, I * N, `[input size, units] = [${I}, ${N}]`);
  if (readout.bias !== undefined) checkTensor('readout bias', readout.bias, I, `[input size] = [${I}]`);
  const weightHh = model.weightHh.slice();
  const bias = model.bias?.slice() ?? new Float64Array(N);
  for (let r = 0; r < N; r++) {
    for (let i = 0; i < I; i++) {
      const a = model.weightIh[r * I + i]!;
      if (a === 0) continue;
      for (let j = 0; j < N; j++) weightHh[r * N + j] += a * readout.weight[i * N + j]!;
      bias[r] += a * (readout.bias?.[i] ?? 0);
    }
  }
  return { ...model, weightHh, bias };
}

/** `steps` steps of zero input for `batch` trajectories: the drive of an autonomous reservoir. */
export function zeroInputs(batch: number, steps: number, size: number): InputStream {
  return { batch, steps, size, readStep: (_t, out) => out.fill(0) };
}

export type EchoStateSystemOptions = LeakySystemOptions;

export type EchoStateSystem = LeakyNetworkSystem<EchoStateModel>;

export function createEchoStateSystem(model: EchoStateModel, inputs: InputSource, options: EchoStateSystemOptions = {}): EchoStateSystem {
  return new ReservoirSystem(model, inputs, options);
}

class ReservoirSystem extends LeakySystem implements EchoStateSystem {
  readonly dt = 1;
  readonly timeUnit = 'step';
  private readonly pre: Float64Array;
  /** a·(1 − tanh²) at the last step, N×B: the tangent's diagonal. */
  private readonly slope: Float64Array;
  private readonly product = new Map<number, Float64Array>();

  constructor(readonly model: EchoStateModel, inputs: InputSource, options: EchoStateSystemOptions) {
    validateEchoStateModel(model);
    super(model, inputs, options);
    this.pre = new Float64Array(this.state.length);
    this.slope = new Float64Array(this.state.length);
  }

  protected advance(): void {
    const { model, batch: B, dim: n, state, pre, slope, x } = this;
    const a = model.leak;
    this.kernels.matmulBlock(model.weightHh, n, n, state, B, pre);
    this.kernels.matmulBlock(model.weightIh, n, model.inputSize, x, B, pre, true);
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < n; i++) {
        const at = b * n + i;
        const y = tanh(pre[at]! + (model.bias?.[i] ?? 0));
        slope[at] = a * (1 - y * y);
        state[at] = (1 - a) * state[at]! + a * y;
      }
    }
  }

  /** out = (1 − a)·q + s ⊙ (W·q), column by column, s = a·(1 − tanh²). */
  protected applyTangent(q: Float64Array, k: number, out: Float64Array): void {
    const { batch: B, dim: n, slope } = this;
    const a = this.model.leak;
    let product = this.product.get(k);
    if (product === undefined) this.product.set(k, (product = new Float64Array(B * n * k)));
    this.kernels.matmulBlock(this.model.weightHh, n, n, q, B * k, product);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < k; j++) {
        const col = (b * k + j) * n;
        for (let i = 0; i < n; i++) out[col + i] = (1 - a) * q[col + i]! + slope[b * n + i]! * product[col + i]!;
      }
    }
  }

  /** J_b = (1 − a)·I + D(s)·W, n×n row-major. */
  protected writeJacobian(b: number, out: Float64Array): void {
    const { dim: n, slope } = this;
    const w = this.model.weightHh;
    const a = this.model.leak;
    for (let i = 0; i < n; i++) {
      const s = slope[b * n + i]!;
      for (let j = 0; j < n; j++) out[i * n + j] = s * w[i * n + j]! + (i === j ? 1 - a : 0);
    }
  }
}
