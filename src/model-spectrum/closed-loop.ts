/**
 * Where a closed-loop spectrum starts: B autonomous trajectories from h₀ = 0 and B − 1 small seeded
 * perturbations of it, or the states a teacher-forced warm-up over the first steps of input
 * sequences reaches. The closed-loop system itself (readout feedback, exact tangent) is
 * cells/closed-loop.ts.
 */
import { createCellSystem, createClosedLoopSystem, type CellSystem, type CellSystemOptions, type Readout } from '../cells/index.js';
import { stateDimension, type InputSource, type RnnModel } from '../cells/model.js';
import { Rng } from '../linalg/random.js';
import { checkFiniteState } from '../lyapunov/errors.js';
import { SpectrumInputError } from './errors.js';

/** The spread of the perturbed starts: every state component of trajectory b > 0 is ε·N(0, 1). */
export const START_SPREAD = 1e-3;

/**
 * Autonomous starts, B of them: trajectory 0 at the zero state, trajectory b > 0 at the zero state
 * plus START_SPREAD·N(0, 1) in every component, from a generator seeded with (seed, b): so the
 * starts are the same however the batch is split over threads (`first` is the index of this part's
 * first trajectory in the whole batch).
 */
export interface AutonomousStarts {
  autonomous: true;
  batch: number;
  seed: number;
  first?: number;
}

export function isAutonomousStarts(inputs: object): inputs is AutonomousStarts {
  return 'autonomous' in inputs;
}

export interface ClosedLoop {
  /** The nn.Linear from the top layer's h to the next input. */
  readout: Readout;
  /** With input sequences: teacher-forced steps run before the closed loop starts. Default 0. */
  warmup?: number;
}

/**
 * The closed-loop system for a spectrum of `steps` steps (transient included), started from
 * `starts` or from a teacher-forced warm-up over the first `closedLoop.warmup` steps of `inputs`.
 */
export function closedLoopSystem(
  model: RnnModel, starts: AutonomousStarts | InputSource, closedLoop: ClosedLoop, steps: number, options: CellSystemOptions,
): CellSystem {
  const warmup = closedLoop.warmup ?? 0;
  const { initialState, initialCell, batch } = isAutonomousStarts(starts)
    ? perturbedStarts(model, starts, options)
    : warmedUp(model, starts, warmup, options);
  return createClosedLoopSystem(model, closedLoop.readout, {
    ...options, batch, steps, initialState, ...(initialCell ? { initialCell } : {}),
  });
}

function perturbedStarts(model: RnnModel, starts: AutonomousStarts, options: CellSystemOptions) {
  const { batch, seed, first = 0 } = starts;
  const n = stateDimension(model, options.lstmState);
  const initialState = new Float64Array(batch * n);
  for (let b = 0; b < batch; b++) {
    const index = first + b;
    if (index === 0) continue;
    const rng = new Rng((Math.imul(seed, 0x2c1b3c6d) ^ Math.imul(index, 0x297a2d39)) >>> 0);
    rng.fillNormal(initialState.subarray(b * n, (b + 1) * n), START_SPREAD);
  }
  return { initialState, initialCell: undefined, batch };
}

function warmedUp(model: RnnModel, inputs: InputSource, warmup: number, options: CellSystemOptions) {
  if (!Number.isInteger(warmup) || warmup < 0) throw new SpectrumInputError(`warmup is ${warmup}, expected an integer ≥ 0`);
  if (inputs.steps < warmup) {
    throw new SpectrumInputError(`inputs: ${inputs.steps} steps per sequence, fewer than the teacher-forced warm-up of ${warmup} steps`);
  }
  const system = createCellSystem(model, inputs, options);
  for (let t = 0; t < warmup; t++) {
    system.step(t);
    checkFiniteState(system, t, 0);
  }
  // saveState: the state, then (LSTM 'h' mode) the cell states kept outside it.
  const saved = system.saveState();
  const n = system.state.length;
  return { initialState: saved.slice(0, n), initialCell: saved.length > n ? saved.slice(n) : undefined, batch: inputs.batch };
}
