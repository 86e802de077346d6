import { checkInteger, OptionError } from '../errors.js';
import { DiscreteQr } from './discrete-qr.js';
import { BENETTIN_DEFAULTS, resolveSpectrumOptions, type SpectrumOptions } from './spectrum-options.js';
import { spectrumFromSums, type SpectrumResult } from './spectrum-statistics.js';
import type { TangentSystem } from './system.js';

export interface ConvergenceOptions extends Omit<SpectrumOptions, 'steps' | 'compat' | 'onProgress'> {
  /** Stop once the standard error of every one of the k exponents is below this, in the reported unit. */
  tolerance: number;
  /** Averaged steps of the first block; each further block doubles the steps. Default 1000. */
  steps?: number;
  /** The most averaged steps to run: the run stops unconverged before it would exceed them. Default 2^20 (1 048 576). */
  maxSteps?: number;
  /** Called after each block with the averaged steps so far and the largest standard error among the k exponents. */
  onBlock?: (steps: number, worstStderr: number) => void;
}

/** How a run that stops on convergence ended. */
export interface Convergence {
  tolerance: number;
  converged: boolean;
  /** Averaged steps it took (the result's options.steps). */
  steps: number;
  maxSteps: number;
  /** The largest standard error among the k exponents at the end. */
  worstStderr: number;
  /** After each block: the averaged steps so far and the largest standard error then. */
  blocks: { steps: number; worstStderr: number }[];
}

export interface ConvergedSpectrum extends SpectrumResult {
  convergence: Convergence;
}

export const DEFAULT_FIRST_BLOCK = 1000;
export const DEFAULT_MAX_STEPS = 2 ** 20;

/**
 *     untilConverged(system, { tolerance, steps?, maxSteps?, ...SpectrumOptions }): ConvergedSpectrum
 *
 * `lyapunovSpectrum` run until the standard error of each of its k exponents is below
 * `tolerance`: `steps` averaged steps first, then the same trajectories and bases continue for as
 * many steps again, doubling the run, until the errors are small enough or the next doubling
 * would pass `maxSteps` (then `convergence.converged` is false). The errors are those of the
 * result: over the B sequences (std/√B) when B > 1, from 10 batch means in time when B = 1 —
 * doubling keeps the 10 blocks equal (pairs of the old ones, then the new steps). The result is
 * that of `lyapunovSpectrum` with `steps` = convergence.steps, to rounding.
 *
 * Example (the Hénon map to ±0.001 nats/step):
 *
 *     const r = untilConverged(henonMap({ batch: 8 }), { tolerance: 1e-3, transient: 100 });
 *     console.log(r.exponents, r.convergence.steps); // [0.419…, −1.623…], 16000
 */
export function untilConverged(system: TangentSystem, options: ConvergenceOptions): ConvergedSpectrum {
  const { tolerance, steps = DEFAULT_FIRST_BLOCK, maxSteps = DEFAULT_MAX_STEPS, onBlock, ...spectrumOptions } = options;
  if (!(tolerance > 0 && Number.isFinite(tolerance))) throw new OptionError(`tolerance must be a positive number, got ${tolerance}`);
  checkInteger('maxSteps', maxSteps, 1);
  checkInteger('steps', steps, 1, maxSteps);
  if ((options as SpectrumOptions).compat !== undefined) throw new OptionError('untilConverged runs the discrete QR method: drop compat');
  const run = resolveSpectrumOptions(system, { ...spectrumOptions, steps }, BENETTIN_DEFAULTS);
  const qr = new DiscreteQr(system, run);
  const blocks: Convergence['blocks'] = [];
  for (;;) {
    const result = spectrumFromSums(qr.finish());
    const worstStderr = Math.max(...result.stderr);
    const done = result.options.steps;
    blocks.push({ steps: done, worstStderr });
    onBlock?.(done, worstStderr);
    const converged = worstStderr < tolerance;
    if (converged || 2 * done > maxSteps) {
      return { ...result, convergence: { tolerance, converged, steps: done, maxSteps, worstStderr, blocks } };
    }
    qr.extend();
  }
}
