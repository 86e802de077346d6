/**
 * Forecasting Lorenz-63 (σ = 10, ρ = 28, β = 8/3): one long trajectory integrated with RK4 and
 * sampled every `dt` time units, each coordinate normalised to zero mean and unit variance over
 * the training part; the network reads u_t and predicts u_{t+1} at every step (mean squared
 * error, teacher forcing). Optional Gaussian noise on the training inputs (not the targets)
 * keeps the closed loop near the attractor (Vlachas et al. 2020; Pathak et al. 2018 do the same
 * for reservoirs). The trajectory is split in time: training windows first, then validation,
 * then test, so no evaluated window was seen in training. A forecaster's spectrum is taken in
 * closed loop (its readout feeding its input) after a teacher-forced warm-up on validation data:
 * the learned map's exponents, per step; divide by dt for exponents per time unit, to compare
 * with Lorenz-63's [0.9056, 0, −14.5723].
 */
import type { InputSequences } from '../../cells/model.js';
import { Rng } from '../../linalg/random.js';
import { lorenz63 } from '../../lyapunov/systems/lorenz.js';
import { TrainConfigError } from '../errors.js';
import { batchRanges, checkInteger, shuffledIndices, type Batch, type EvalSplit, type Task, type TaskDescription } from './task.js';

export interface LorenzOptions {
  /** Sampling step in time units, 0 < dt ≤ 0.05. Default 0.02. */
  dt?: number;
  /** Steps per training and evaluation window. Default 100. */
  seq?: number;
  /** Training windows (consecutive, non-overlapping). Default 512. */
  trainSize?: number;
  /** Windows in each of the validation and test parts. Default 64. */
  evalSize?: number;
  /** Standard deviation of the Gaussian noise added to training inputs, in normalised units. Default 0. */
  noise?: number;
  /** Teacher-forced steps before a closed-loop spectrum. Default 200. */
  warmup?: number;
  /** Seed of the trajectory's starting point. Default 0. */
  seed?: number;
}

/** Time units run and discarded before sampling, so that the series starts on the attractor. */
const SETTLE_TIME = 50;
const COORDINATES = 3;

function checkReal(what: string, value: number, min: number, max: number, includeMin: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value > max || (includeMin ? value < min : value <= min)) {
    throw new TrainConfigError(`${what} is ${String(value)}, expected a number in ${includeMin ? '[' : '('}${min}, ${max}]`);
  }
  return value;
}

/** `count` samples of one Lorenz-63 trajectory every `dt`, [count × 3], after SETTLE_TIME. */
export function lorenzSeries(count: number, dt: number, seed: number): Float64Array {
  const system = lorenz63({ dt, seed: seed + 1 });
  const settle = Math.ceil(SETTLE_TIME / dt);
  for (let t = 0; t < settle; t++) system.step(t);
  const out = new Float64Array(count * COORDINATES);
  for (let t = 0; t < count; t++) {
    system.step(t);
    out.set(system.state, t * COORDINATES);
  }
  return out;
}

/** A split as one contiguous stretch: inputs u_t and targets u_{t+1}, [steps × 3] each. */
export interface LorenzSeries {
  steps: number;
  inputs: Float64Array;
  targets: Float64Array;
}

export type LorenzTask = Task & {
  /** The split's windows joined end to end (they are consecutive in time): what a reservoir is driven by. */
  series(split: 'train' | EvalSplit): LorenzSeries;
};

export function lorenzTask(options: LorenzOptions = {}): LorenzTask {
  const dt = checkReal('lorenz.dt', options.dt ?? 0.02, 0, 0.05, false);
  const seq = checkInteger('lorenz.seq', options.seq ?? 100, 2, 100000);
  const trainSize = checkInteger('lorenz.trainSize', options.trainSize ?? 512, 1, 1e6);
  const evalSize = checkInteger('lorenz.evalSize', options.evalSize ?? 64, 1, 1e6);
  const noise = checkReal('lorenz.noise', options.noise ?? 0, 0, 10, true);
  const warmup = checkInteger('lorenz.warmup', options.warmup ?? 200, 0, 1e6);
  const seed = checkInteger('lorenz.seed', options.seed ?? 0, 0, 0xffffffff);
  if ((trainSize + 2 * evalSize) * seq > 2e7) {
    throw new TrainConfigError(`lorenz: (trainSize + 2·evalSize)·seq = ${(trainSize + 2 * evalSize) * seq} samples, more than the 2e7 allowed`);
  }

  // Windows t0 .. t0+seq−1 read u, targets are the samples one step later.
  const samples = (trainSize + 2 * evalSize) * seq + 1;
  const series = lorenzSeries(samples, dt, seed);
  const trainEnd = trainSize * seq;
  const mean = new Float64Array(COORDINATES);
  const std = new Float64Array(COORDINATES);
  for (let c = 0; c < COORDINATES; c++) {
    let sum = 0;
    for (let t = 0; t <= trainEnd; t++) sum += series[t * COORDINATES + c]!;
    mean[c] = sum / (trainEnd + 1);
    let squares = 0;
    for (let t = 0; t <= trainEnd; t++) squares += (series[t * COORDINATES + c]! - mean[c]!) ** 2;
    std[c] = Math.sqrt(squares / (trainEnd + 1));
  }
  for (let t = 0; t < samples; t++) {
    for (let c = 0; c < COORDINATES; c++) series[t * COORDINATES + c] = (series[t * COORDINATES + c]! - mean[c]!) / std[c]!;
  }
  const firstWindow = { train: 0, validation: trainSize, test: trainSize + evalSize };

  /** Windows `windows[i]` (indices from the start of the series, in units of seq) as one batch. */
  const batchOf = (windows: ArrayLike<number>, rng: Rng | undefined): Batch => {
    const count = windows.length;
    const inputs = new Float64Array(count * seq * COORDINATES);
    const targets = new Float64Array(count * seq * COORDINATES);
    for (let b = 0; b < count; b++) {
      const from = windows[b]! * seq * COORDINATES;
      inputs.set(series.subarray(from, from + seq * COORDINATES), b * seq * COORDINATES);
      targets.set(series.subarray(from + COORDINATES, from + (seq + 1) * COORDINATES), b * seq * COORDINATES);
    }
    if (rng !== undefined && noise > 0) for (let i = 0; i < inputs.length; i++) inputs[i] += noise * rng.normal();
    return { batch: count, steps: seq, inputSize: COORDINATES, inputs, loss: 'mse-per-step', outputSize: COORDINATES, targets };
  };

  // The best constant prediction is the training mean, 0 after normalisation: its MSE is the
  // mean variance of the targets, 1 up to the one-sample shift.
  let chanceLoss = 0;
  for (let i = COORDINATES; i < (trainEnd + 1) * COORDINATES; i++) chanceLoss += series[i]! ** 2;
  chanceLoss /= trainEnd * COORDINATES;

  const core = { inputSize: COORDINATES, outputSize: COORDINATES, loss: 'mse-per-step' as const, steps: seq, trainSize, chanceLoss, chanceAccuracy: null };
  return {
    name: 'lorenz',
    ...core,
    closedLoop: { warmup, dt },
    *batches(batchSize, rng) {
      const order = shuffledIndices(trainSize, rng);
      for (const [start, size] of batchRanges(trainSize, batchSize)) yield batchOf(order.subarray(start, start + size), rng);
    },
    *evalBatches(split, batchSize) {
      for (const [start, size] of batchRanges(evalSize, batchSize)) {
        yield batchOf(Array.from({ length: size }, (_, i) => firstWindow[split] + start + i), undefined);
      }
    },
    spectrumInputs(batch: number, steps: number, rng: Rng): InputSequences {
      checkInteger('spectrum batch', batch, 1);
      const room = evalSize * seq;
      if (!Number.isInteger(steps) || steps < 1 || steps > room) {
        throw new TrainConfigError(`lorenz: a spectrum drive of ${steps} steps does not fit the validation part (${room} steps = evalSize·seq); raise evalSize or lower the steps`);
      }
      const data = new Float64Array(batch * steps * COORDINATES);
      for (let b = 0; b < batch; b++) {
        const from = (firstWindow.validation * seq + rng.int(room - steps + 1)) * COORDINATES;
        data.set(series.subarray(from, from + steps * COORDINATES), b * steps * COORDINATES);
      }
      return { batch, steps, size: COORDINATES, data };
    },
    describe(): TaskDescription {
      return {
        spec: { name: 'lorenz', dt, seq, trainSize, evalSize, noise, warmup, seed },
        ...core,
        dt,
        mean: Array.from(mean),
        std: Array.from(std),
      };
    },
    series(split) {
      const from = firstWindow[split] * seq * COORDINATES;
      const steps = (split === 'train' ? trainSize : evalSize) * seq;
      return {
        steps,
        inputs: series.slice(from, from + steps * COORDINATES),
        targets: series.slice(from + COORDINATES, from + (steps + 1) * COORDINATES),
      };
    },
    artifacts: () => ({}),
  };
}
