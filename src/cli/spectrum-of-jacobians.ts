/**
 * `spectrum --jacobians FILE`: the spectrum, finite-time exponents or convergence run of stored
 * per-step Jacobians, for systems whose Jacobians were computed elsewhere.
 */
import { lyapunovSpectrum, untilConverged, type SpectrumResult } from '../lyapunov/index.js';
import type { JacobianFileShape } from '../io/index.js';
import { jacobianSequence, memoryBudget, spectrumKernels } from '../model-spectrum/index.js';
import { UsageError } from './errors.js';
import { checkFtleWindowFlag, logBaseOf, optionName, type SpectrumFlags, type SpectrumRunFlags } from './spectrum-options.js';

/** Flags that choose or drive a model, which stored Jacobians do not have. */
const MODEL_FLAGS = ['cell', 'prefix', 'embedding', 'inputs', 'text', 'vocab', 'tokens', 'drive', 'lstmState', 'jacobiansOut', 'checkpoint'] as const;

/**
 * The spectrum of the Jacobians in `file`, in one thread. --steps defaults (`stepsDefaulted`) to
 * the file's T − --transient; with --until-converged the first block is --steps (at most that)
 * and --max-steps defaults to T − --transient.
 */
export function spectrumOfJacobians(
  file: string, flags: SpectrumFlags & SpectrumRunFlags & { checkpoint?: number }, stepsDefaulted: boolean,
): { result: SpectrumResult; phrase: string; jacobians: JacobianFileShape } {
  const given = MODEL_FLAGS.find((name) => flags[name] !== undefined);
  if (given !== undefined) throw new UsageError(`${optionName(given)} is for a model; --jacobians ${file} already gives every step's Jacobian`);
  const system = jacobianSequence(file, { memoryBudget: memoryBudget(flags.memoryBudget) });
  const { batch, steps: stored, dim, shape } = system;
  const available = stored - flags.transient;
  if (available < 1) throw new UsageError(`--transient ${flags.transient} leaves none of the ${stored} steps of ${file} to average`);
  const steps = stepsDefaulted ? (flags.untilConverged === undefined ? available : Math.min(flags.steps, available)) : flags.steps;
  const maxSteps = flags.untilConverged === undefined ? steps : flags.maxSteps ?? available;
  if (maxSteps > available) {
    throw new UsageError(`${file} holds ${stored} steps, fewer than --transient + ${flags.untilConverged === undefined ? '--steps' : '--max-steps'} = ${flags.transient} + ${maxSteps}`);
  }
  if (flags.ftleWindow !== undefined) checkFtleWindowFlag(flags.ftleWindow, steps);
  const options = {
    transient: flags.transient, steps, seed: flags.seed, qrEvery: flags.qrEvery,
    ...(flags.k !== undefined ? { k: flags.k } : {}),
    ...logBaseOf(flags),
    ...(flags.ftleWindow !== undefined ? { ftleWindow: flags.ftleWindow } : {}),
    kernels: spectrumKernels(flags.backend, flags.precision).kernels,
  };
  const result = flags.untilConverged === undefined
    ? lyapunovSpectrum(system, options)
    : untilConverged(system, { ...options, tolerance: flags.untilConverged, maxSteps, onBlock: convergenceReporter(flags.untilConverged) });
  return { result, phrase: `the Jacobians of ${file} ([${batch}, ${stored}, ${dim}, ${dim}] ${shape.dtype})`, jacobians: shape };
}

/** Progress of --until-converged on stderr: after each block, the steps so far and the worst standard error. */
export function convergenceReporter(tolerance: number): (steps: number, worstStderr: number) => void {
  return (steps, worst) => process.stderr.write(`until-converged: ${steps} steps, worst stderr ${worst.toExponential(2)} (tolerance ${tolerance})\n`);
}
