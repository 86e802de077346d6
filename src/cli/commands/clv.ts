import { isAutonomousStarts } from '../../model-spectrum/index.js';
import type { Command } from 'commander';
import { writeSafetensors } from '../../io/index.js';
import { createKernels } from '../../linalg/index.js';
import { modelClv, type ModelClvResult } from '../../model-spectrum/index.js';
import { UsageError } from '../errors.js';
import { formatClv } from '../format-clv.js';
import { toJson } from '../../io/json.js';
import { loadModelArgument } from '../model-argument.js';
import { refuseExistingOutput } from '../output-file.js';
import { integer } from '../parse.js';
import { progressReporter } from '../progress.js';
import { addSpectrumOptions, checkSpectrumFlags, spectrumPlan, type SpectrumFlags } from '../spectrum-options.js';

interface ClvFlags extends SpectrumFlags {
  checkpoint?: number;
  window: number;
  backwardTransient: number;
  every?: number;
  unstable?: number;
  vectorsOut?: string;
  force?: boolean;
  json?: boolean;
}

/** Spectrum options that have no meaning for CLVs, hidden from clv --help and refused, and why. */
const NOT_FOR_CLV = {
  steps: 'the steps are --window and --backward-transient',
  qrEvery: 'CLVs take a QR every step',
  compat: 'CLVs follow J_t (not the Jᵀ of the authors\' code)',
  precision: 'CLVs are computed in float64',
  threads: 'CLVs run in one thread',
  closedLoop: 'CLVs of a closed loop are not computed yet',
  readout: 'CLVs of a closed loop are not computed yet',
  warmup: 'CLVs of a closed loop are not computed yet',
} as const;

export function registerClv(program: Command): void {
  const command = program
    .command('clv')
    .description('Covariant Lyapunov vectors (Ginelli et al. 2007/2013) of a model, taken as `spectrum` takes the spectrum (the same model, ' +
      'input and kernel options): after --transient steps, a window of --window steps whose CLVs are computed, then --backward-transient ' +
      'steps more whose QR factors bring the backward iteration onto the CLVs. Prints per CLV its exponent (the mean local growth rate), ' +
      'the spread of the local growth rate and its weight on each layer\'s h (and c, joint LSTM); then the angles between the unstable ' +
      'and the other CLVs\' spans and between consecutive CLVs (quantiles; near 0 = near-tangency). One thread. Memory: the R factors ' +
      '(window + backward transient)·B·k(k+1)/2 doubles and the sampled vectors, checked against --memory-budget before anything is allocated.')
    .argument('<model>', 'as for `spectrum`: safetensors, torch.save or .onnx file, or a run directory of `train`')
    .requiredOption('--window <T>', 'steps whose CLVs, growth rates and angles are computed', integer('--window', 1))
    .requiredOption('--backward-transient <W>', 'steps after the window that converge the backward iteration (CLV_i converges like e^(−(λ_i − λ_{i+1})·W))', integer('--backward-transient', 0))
    .option('--every <S>', 'sample vectors, angles and weights every S steps of the window (default: window/100, at least 1)', integer('--every', 1))
    .option('--unstable <U>', 'CLVs counted as unstable for the subspace angle (default: the number of positive exponents)', integer('--unstable', 0))
    .option('--vectors-out <file>', 'write the sampled CLVs as safetensors: vectors [B, S, n, k] (unit columns, CLV j = [..., j]), times [S] (window steps), growth [B, T, k]')
    .option('--force', 'overwrite an existing --vectors-out file')
    .option('--checkpoint <epoch>', 'with a run directory: the checkpoint of this epoch (default: the latest)', integer('--checkpoint', 0));
  addSpectrumOptions(command);
  for (const option of command.options) if (option.attributeName() in NOT_FOR_CLV) option.hideHelp();
  command
    .option('--json', 'print a JSON document instead of the table')
    .action(async (modelPath: string, flags: ClvFlags, cmd: Command) => {
      checkSpectrumFlags(flags);
      for (const [name, why] of Object.entries(NOT_FOR_CLV)) {
        if (cmd.getOptionValueSource(name) === 'cli') {
          throw new UsageError(`--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} is not a clv option: ${why}`);
        }
      }
      const every = flags.every ?? Math.max(1, Math.floor(flags.window / 100));
      if (every > flags.window) throw new UsageError(`--every must be at most --window (${flags.window}), got ${every}`);
      if (flags.vectorsOut !== undefined) refuseExistingOutput('--vectors-out', flags.vectorsOut, flags.force);
      const { file, run } = loadModelArgument(modelPath, flags);
      // The inputs must cover the window and the backward transient; CLVs run in one thread.
      const planFlags = { ...flags, steps: flags.window + flags.backwardTransient, threads: 1 };
      const plan = spectrumPlan(file, planFlags, modelPath, run, { window: flags.window, backwardTransient: flags.backwardTransient, every });
      for (const warning of plan.warnings) process.stderr.write(`warning: ${warning}\n`);
      const o = plan.options;
      if (isAutonomousStarts(plan.inputs)) throw new UsageError('CLVs of a closed loop are not computed yet');
      const result = modelClv(file.model, plan.inputs, {
        window: flags.window, backwardTransient: flags.backwardTransient, transient: o.transient ?? 0, every, seed: o.seed ?? 0,
        ...(o.k !== undefined ? { k: o.k } : {}), ...(o.logBase !== undefined ? { logBase: o.logBase } : {}),
        ...(o.lstmState ? { lstmState: o.lstmState } : {}), ...(flags.unstable !== undefined ? { unstable: flags.unstable } : {}),
        // The budget was checked by spectrumPlan, against --memory-budget, with the CLV storage among the parts.
        kernels: createKernels(flags.backend), maxBytes: Infinity, onProgress: progressReporter('clv'),
      });
      if (flags.vectorsOut !== undefined) writeVectors(flags.vectorsOut, result);
      process.stdout.write(flags.json
        ? `${toJson({ ...clvJson(result), source: plan.source, inputs: plan.description })}\n`
        : `${formatClv(result, plan.phrase)}\n`);
    });
}

/** The JSON document: the run's shape, the summary (exponents, growth and angle distributions, location) and the model. */
function clvJson({ clv, summary, model }: ModelClvResult): object {
  const { dim, k, batch, window, backwardTransient, transient, every, times } = clv;
  return { model, options: { dim, k, batch, window, backwardTransient, transient, every, samples: times.length }, ...summary };
}

/**
 * The sampled CLVs as safetensors: vectors [B, S, n, k] (row-major: CLV j of trajectory b at
 * sample s is vectors[b, s, :, j]), the samples' window steps, and every step's growth rates.
 */
function writeVectors(path: string, { clv }: ModelClvResult): void {
  const { batch, dim: n, k, times, window } = clv;
  const samples = times.length;
  const data = new Float64Array(batch * samples * n * k);
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < samples; s++) {
      const block = clv.vectors(b, s);
      const at = (b * samples + s) * n * k;
      for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) data[at + i * k + j] = block[j * n + i]!;
    }
  }
  writeSafetensors(path, {
    vectors: { shape: [batch, samples, n, k], data },
    times: { dtype: 'I64', shape: [samples], data: times },
    growth: { shape: [batch, window, k], data: clv.growth },
  }, { units: clv.units });
}
