import { stateDimension, type InputSequences, type LayerWeights, type LstmState, type RnnModel } from '../../cells/model.js';
import { validateInputs, validateModel } from '../../cells/validate.js';
import { checkInteger, OptionError } from '../../errors.js';
import { createKernels } from '../../linalg/backends.js';
import type { LinalgKernels } from '../../linalg/kernels.js';
import { identityBlock, randomOrthonormal } from '../../linalg/orthonormal.js';
import { Rng } from '../../linalg/random.js';
import { FlossingError } from '../errors.js';
import type { TapeLayerWeights } from './cell-step.js';
import { runSteps, tapeWeights, toTensors, type StateValues, type StepShape } from './network-steps.js';
import { Tape, Tensor } from './tape.js';

export interface FlossingOptions {
  /** Exponents pushed toward the target: λ_1 … λ_k of the QR iteration (1 ≤ k ≤ state dimension). */
  k: number;
  /** The exponents' target, nats/step. Default 0. */
  target?: number;
  /** Steps run before averaging (their gradient is kept: the state and basis they leave depend on the weights). Default 0. */
  transient?: number;
  /** Steps averaged. Default: what the inputs hold after the transient. */
  steps?: number;
  /** LSTM only: the joint (h, c) state (default) or h at fixed c, as for `modelSpectrum`. */
  lstmState?: LstmState;
  /** Initial basis: Haar-random from `seed` (default, the draws `modelSpectrum` makes) or the first k identity columns. */
  initialBasis?: 'random' | 'identity';
  seed?: number;
  /** float64 kernels for the products and QRs; default the WebAssembly ones. */
  kernels?: LinalgKernels;
  /**
   * Steps per recomputed segment (checkpointing): the forward pass keeps only the state and basis
   * at each segment's start; the backward pass reruns one segment at a time on the tape. Default:
   * the longest segment that fits `memoryLimit` (no recomputation when the whole run fits).
   */
  segment?: number;
  /** Bytes the tape and checkpoints may take. Default 1 GiB. */
  memoryLimit?: number;
}

export interface FlossingResult {
  /** Σ_i (λ_i − target)² over the k exponents. */
  loss: number;
  /** λ_i = (1/(B·T)) Σ_b Σ_t log R_ii(t), nats/step, in the QR's column order (unsorted). */
  exponents: number[];
  /** ∂loss/∂weights, shaped as the model's layers (biases present iff the model has them). */
  grads: LayerWeights[];
  /** Steps per recomputed segment, and bytes of the tape of one segment plus the checkpoints. */
  segment: number;
  memoryBytes: number;
}

const DEFAULT_MEMORY_LIMIT = 2 ** 30;

/**
 * The flossing loss Σ_i (λ_i − target)² of the first k Lyapunov exponents of `model` driven by
 * `inputs` from zero initial states, and its exact gradient with respect to the recurrent weights:
 * reverse mode through the cell steps, the tangent maps and the QR of every step (qr-node.ts
 * gives the QR's rule and its source). The exponents are those `modelSpectrum` reports for the
 * same inputs, transient, steps, basis and lstmState (QR every step, natural log), before sorting.
 *
 * Cost: one forward pass (the cell step and the tangent map of k vectors per trajectory, one QR
 * per trajectory and step), then the backward pass (about twice that), plus one recomputation of
 * the forward pass when the run is split into segments. Memory: every recorded value and its
 * gradient, ≈ 16 bytes × (per step: a few times B·k·G·H for the tangent and B·G·H for the step)
 * per step of a segment, plus B·(n + n·k) doubles per checkpoint.
 */
export function flossingLoss(model: RnnModel, inputs: InputSequences, options: FlossingOptions): FlossingResult {
  const run = resolve(model, inputs, options);
  const { kernels, k, total, batch: B } = run;
  const weights = model.layers.map((w, l) => tapeWeights(model, w, l));
  const startQ = initialBasis(run);
  const zeroState = model.layers.map(() => ({ h: new Float64Array(B * model.hiddenSize), c: model.cell === 'lstm' ? new Float64Array(B * model.hiddenSize) : null }));

  const perStep = recordedBytesPerStep(model, run, weights, zeroState, startQ);
  const checkpointBytes = 8 * B * (stateDoubles(model) + k * run.n);
  const segment = segmentLength(run, perStep, checkpointBytes, options);
  const segments = Math.ceil(total / segment);
  const memoryBytes = segment * perStep + segments * checkpointBytes;

  // Forward: the whole run, keeping each segment's start; recorded at once when one segment is all.
  const single = segments === 1;
  const firstTape = new Tape(kernels, single);
  const checkpoints: { state: StateValues; q: Float64Array }[] = [];
  const logSums = new Float64Array(k);
  const logDiags: Tensor[] = [];
  let state = toTensors(zeroState, B, false);
  let q = new Tensor(B * k, run.n, startQ, false);
  for (let s = 0; s < segments; s++) {
    checkpoints.push({ state: state.map((l) => ({ h: l.h.value, c: l.c?.value ?? null })), q: q.value });
    ({ state, q } = runSteps(firstTape, model, run, weights, s * segment, Math.min(total, (s + 1) * segment), state, q, (t, logDiag) => {
      if (t < run.transient) return;
      for (let i = 0; i < logDiag.value.length; i++) logSums[i % k] = logSums[i % k]! + logDiag.value[i]!;
      if (single) logDiags.push(logDiag);
    }));
  }
  const exponents = Array.from(logSums, (sum) => sum / (B * run.steps));
  const loss = exponents.reduce((sum, l) => sum + (l - run.target) ** 2, 0);
  const seed = exponents.map((l) => (2 * (l - run.target)) / (B * run.steps));
  const seedLogDiag = (logDiag: Tensor) => {
    const g = logDiag.gradient();
    for (let i = 0; i < g.length; i++) g[i] = seed[i % k]!;
  };

  if (single) {
    logDiags.forEach(seedLogDiag);
    firstTape.backward();
  } else {
    // Backward one segment at a time, last first: rerun it on a tape from its checkpoint (whose
    // state and basis are leaves), seed its log R_ii and its end's gradients, carry its start's back.
    let carried: { state: StateValues; q: Float64Array } | null = null;
    for (let s = segments - 1; s >= 0; s--) {
      const tape = new Tape(kernels, true);
      const start = checkpoints[s]!;
      const startState = toTensors(start.state, B, s > 0);
      const startQTensor = new Tensor(B * k, run.n, start.q, s > 0);
      const end = runSteps(tape, model, run, weights, s * segment, Math.min(total, (s + 1) * segment), startState, startQTensor, (t, logDiag) => {
        if (t >= run.transient) seedLogDiag(logDiag);
      });
      if (carried !== null) {
        end.state.forEach((l, i) => {
          if (l.h.needsGrad) l.h.gradient().set(carried!.state[i]!.h);
          if (l.c !== null && l.c.needsGrad) l.c.gradient().set(carried!.state[i]!.c!);
        });
        if (end.q.needsGrad) end.q.gradient().set(carried.q);
      }
      tape.backward();
      carried = {
        state: startState.map((l) => ({ h: l.h.gradient(), c: l.c === null ? null : l.c.gradient() })),
        q: startQTensor.gradient(),
      };
    }
  }
  const grads = weights.map((w) => ({
    weightIh: w.weightIh.gradient(), weightHh: w.weightHh.gradient(),
    ...(w.biasIh === null ? {} : { biasIh: w.biasIh.gradient(), biasHh: w.biasHh!.gradient() }),
  }));
  checkGradient(grads, exponents);
  return { loss, exponents, grads, segment, memoryBytes };
}

/** A gradient that overflowed (weights deep in saturation: R_ii underflowing toward 0) is refused, not passed on. */
function checkGradient(grads: LayerWeights[], exponents: number[]): void {
  for (const [l, layer] of grads.entries()) {
    for (const [name, g] of Object.entries(layer) as [string, Float64Array][]) {
      if (!g.every(Number.isFinite)) {
        throw new FlossingError(
          `flossing: the gradient of ${name} of layer ${l} is not finite (exponents ${exponents.map((e) => e.toPrecision(3)).join(', ')} nats/step): ` +
            'the weights are too far in saturation; lower the learning rate or the flossing weight',
        );
      }
    }
  }
}

interface ResolvedFlossing extends StepShape {
  kernels: LinalgKernels;
  n: number;
  target: number;
  transient: number;
  steps: number;
  /** transient + steps. */
  total: number;
  initialBasis: 'random' | 'identity';
  seed: number;
}

function resolve(model: RnnModel, inputs: InputSequences, options: FlossingOptions): ResolvedFlossing {
  validateModel(model);
  validateInputs(model, inputs);
  if (!(inputs.data instanceof Float64Array)) throw new OptionError('flossingLoss: inputs must be held sequences (inputs.data a Float64Array, B×T×I)');
  const lstmState = options.lstmState ?? 'joint';
  if (lstmState !== 'joint' && lstmState !== 'h') throw new OptionError(`lstmState is '${String(lstmState)}', expected 'joint' or 'h'`);
  const n = stateDimension(model, lstmState);
  checkInteger('k', options.k, 1, n);
  const transient = options.transient ?? 0;
  checkInteger('transient', transient, 0, inputs.steps - 1);
  const steps = options.steps ?? inputs.steps - transient;
  checkInteger('steps (the inputs hold transient + steps)', steps, 1, inputs.steps - transient);
  const target = options.target ?? 0;
  if (!Number.isFinite(target)) throw new OptionError(`target must be a finite number (nats/step), got ${target}`);
  const initialBasis = options.initialBasis ?? 'random';
  if (initialBasis !== 'random' && initialBasis !== 'identity') throw new OptionError(`initialBasis is '${String(initialBasis)}', expected 'random' or 'identity'`);
  const kernels = options.kernels ?? createKernels('wasm');
  if (kernels.precision !== 'float64') throw new OptionError(`flossingLoss needs float64 kernels, got ${kernels.name} (${kernels.precision})`);
  return {
    kernels, k: options.k, n, target, transient, steps, total: transient + steps, batch: inputs.batch,
    joint: model.cell === 'lstm' && lstmState === 'joint', initialBasis, seed: options.seed ?? 0, inputs,
  };
}

/** Each trajectory's initial basis as `modelSpectrum` draws it: B blocks n×k, i.e. [B·k × n]. */
function initialBasis(run: ResolvedFlossing): Float64Array {
  const { batch, n, k } = run;
  const out = new Float64Array(batch * n * k);
  const rng = new Rng(run.seed);
  for (let b = 0; b < batch; b++) out.set(run.initialBasis === 'identity' ? identityBlock(n, k) : randomOrthonormal(run.kernels, rng, n, k), b * n * k);
  return out;
}

function stateDoubles(model: RnnModel): number {
  return model.numLayers * model.hiddenSize * (model.cell === 'lstm' ? 2 : 1);
}

/**
 * Bytes one recorded step holds at the backward pass: every recorded value and its gradient,
 * measured by recording the first step once.
 */
function recordedBytesPerStep(model: RnnModel, run: ResolvedFlossing, weights: TapeLayerWeights[], state: StateValues, q: Float64Array): number {
  const tape = new Tape(run.kernels, true);
  runSteps(tape, model, run, weights, 0, 1, toTensors(state, run.batch, true), new Tensor(run.batch * run.k, run.n, q, true), () => {});
  return 16 * tape.recordedDoubles;
}

/**
 * Steps per segment: the one asked for, or the longest whose tape and the run's checkpoints fit
 * `memoryLimit`; a FlossingError when even that does not fit.
 */
function segmentLength(run: ResolvedFlossing, perStep: number, checkpointBytes: number, options: FlossingOptions): number {
  const limit = options.memoryLimit ?? DEFAULT_MEMORY_LIMIT;
  if (!(limit > 0)) throw new OptionError(`memoryLimit must be a positive number of bytes, got ${limit}`);
  const bytes = (s: number) => s * perStep + Math.ceil(run.total / s) * checkpointBytes;
  let segment: number;
  if (options.segment !== undefined) {
    checkInteger('segment', options.segment, 1);
    segment = Math.min(options.segment, run.total);
  } else {
    segment = Math.max(1, Math.min(run.total, Math.floor(limit / perStep)));
    while (segment > 1 && bytes(segment) > limit) segment--;
  }
  if (bytes(segment) > limit) {
    const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
    throw new FlossingError(
      `flossing: segments of ${segment} steps need ${mb(bytes(segment))} (${mb(perStep)} a recorded step for batch ${run.batch}, ` +
        `k ${run.k}, state ${run.n}; ${mb(checkpointBytes)} a checkpoint), over memoryLimit ${mb(limit)}: ` +
        `lower k, the batch or the steps${options.segment !== undefined ? ', shorten segment' : ''}, or raise memoryLimit`,
    );
  }
  return segment;
}
