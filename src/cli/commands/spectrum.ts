import type { Command } from 'commander';
import { leakyFileKind, writeJacobians, type JacobianFileShape, type ModelSource } from '../../io/index.js';
import { spectrumOfLeakyFile, type LeakyDescription } from '../spectrum-leaky.js';
import type { InputsDescription } from '../spectrum-inputs.js';
import type { ClosedLoopDescription } from '../spectrum-closed-loop.js';
import { modelSpectrumThreaded, modelSpectrumUntilConverged, spectrumKernels, type ModelSpectrumResult } from '../../model-spectrum/index.js';
import { formatSpectrum } from '../format-spectrum.js';
import { progressReporter } from '../progress.js';
import { integer } from '../parse.js';
import { toJson } from '../../io/json.js';
import { refuseExistingOutput } from '../output-file.js';
import {
  addSpectrumOptions, addSpectrumRunOptions, checkSpectrumFlags, checkSpectrumRunFlags, spectrumPlan,
  type SpectrumFlags, type SpectrumPlan, type SpectrumRunFlags,
} from '../spectrum-options.js';
import { convergenceReporter, spectrumOfJacobians } from '../spectrum-of-jacobians.js';
import { loadModelArgument } from '../model-argument.js';
import { UsageError } from '../errors.js';

interface SpectrumCommandFlags extends SpectrumFlags, SpectrumRunFlags {
  checkpoint?: number;
  json?: boolean;
  force?: boolean;
}

export function registerSpectrum(program: Command): void {
  const command = program
    .command('spectrum')
    .description('Lyapunov spectrum of a PyTorch RNN/LSTM/GRU saved as safetensors, with torch.save or exported to ONNX, or of a training run ' +
      '(or of a rate network or echo-state network safetensors file, metadata cell: rate | esn: docs/closed-loop.md). The output says ' +
      'which tensors of the file were used and which ignored, and what drove the model (the JSON: `source`, `inputs`). A model with an embedding ' +
      '(a tensor [V, I] named like embedding.weight, as wide as the RNN\'s input) is driven through it: by --text, --tokens, or by ' +
      'default random tokens; the Jacobians are the RNN\'s at the embedded inputs. With --jacobians FILE, the spectrum of stored per-step ' +
      'Jacobians instead of a model (docs/finite-time.md).')
    .argument('[model]', 'safetensors or torch.save file (.pt, .pth, .bin, .ckpt) holding a PyTorch state dict (weight_ih_l0, weight_hh_l0, …, under any prefix) or a checkpoint dict with one, .onnx file with RNN/GRU/LSTM nodes (docs/onnx.md), or a run directory of `train`; none with --jacobians')
    .option('--checkpoint <epoch>', 'with a run directory: the checkpoint of this epoch (default: the latest)', integer('--checkpoint', 0));
  addSpectrumRunOptions(addSpectrumOptions(command))
    .option('--force', 'overwrite an existing --jacobians-out file')
    .option('--json', 'print a JSON document instead of the table (with --ftle-window: `finiteTime`; with --until-converged: `convergence`)')
    .action(async (modelPath: string | undefined, flags: SpectrumCommandFlags, self: Command) => {
      checkSpectrumFlags(flags);
      checkSpectrumRunFlags(flags);
      if (flags.jacobians !== undefined) {
        if (modelPath !== undefined) throw new UsageError(`give a model or --jacobians FILE, not both (got ${modelPath} and --jacobians ${flags.jacobians})`);
        const { result, phrase, jacobians } = spectrumOfJacobians(flags.jacobians, flags, self.getOptionValueSource('steps') === 'default');
        print(result, phrase, flags.json, { jacobians });
        return;
      }
      if (modelPath === undefined) throw new UsageError('give a model file or run directory, or --jacobians FILE');
      if (leakyFileKind(modelPath) !== undefined) {
        const { result, phrase, source, inputs } = spectrumOfLeakyFile(modelPath, flags, self);
        print(result, phrase, flags.json, { source, inputs });
        return;
      }
      if (flags.jacobiansOut !== undefined) refuseExistingOutput('--jacobians-out', flags.jacobiansOut, flags.force);
      const { file, run } = loadModelArgument(modelPath, flags);
      const plan = spectrumPlan(file, flags, modelPath, run);
      for (const warning of plan.warnings) process.stderr.write(`warning: ${warning}\n`);
      const result = flags.untilConverged !== undefined
        ? untilConvergedOf(file.model, plan, flags)
        : await spectrumWithJacobians(file.model, plan, flags, modelPath);
      print(result, plan.phrase, flags.json, { source: plan.source, inputs: plan.description });
    });
}

/** The spectrum, and every step's Jacobian written to --jacobians-out when asked (the worker threads fill one shared array). */
async function spectrumWithJacobians(
  model: Parameters<typeof modelSpectrumThreaded>[0], plan: SpectrumPlan, flags: SpectrumCommandFlags, modelPath: string,
): Promise<ModelSpectrumResult> {
  const onProgress = progressReporter('spectrum');
  if (flags.jacobiansOut === undefined) return modelSpectrumThreaded(model, plan.inputs, { ...plan.options, onProgress });
  const [batch, steps, dim] = [plan.inputs.batch, flags.transient + flags.steps, plan.dim];
  const elements = batch * steps * dim * dim;
  const data = flags.precision === 'float32'
    ? new Float32Array(new SharedArrayBuffer(4 * elements))
    : new Float64Array(new SharedArrayBuffer(8 * elements));
  const result = await modelSpectrumThreaded(model, plan.inputs, { ...plan.options, jacobiansOut: data, onProgress });
  writeJacobians(flags.jacobiansOut, { batch, steps, dim, data }, {
    model: modelPath, transient: String(flags.transient), steps: String(flags.steps), ...(result.model.lstmState ? { lstm_state: result.model.lstmState } : {}),
    layout: 'J[b, t] = ds_{t+1}/ds_t of trajectory b at step t (the transient included), row-major',
  });
  process.stderr.write(`wrote Jacobians [${batch}, ${steps}, ${dim}, ${dim}] ${flags.precision} to ${flags.jacobiansOut}\n`);
  return result;
}

function untilConvergedOf(model: Parameters<typeof modelSpectrumThreaded>[0], plan: SpectrumPlan, flags: SpectrumCommandFlags): ModelSpectrumResult {
  const { threads: _threads, backend, precision, steps, ...options } = plan.options;
  return modelSpectrumUntilConverged(model, plan.inputs, {
    ...options, ...spectrumKernels(backend ?? 'wasm', precision ?? 'float64'),
    steps, tolerance: flags.untilConverged!, maxSteps: plan.maxSteps, onBlock: convergenceReporter(flags.untilConverged!),
  });
}

/** The table, or the JSON with what the spectrum was taken of (a model's `source` and `inputs`, or the `jacobians` file), then the warnings. */
function print(
  result: Parameters<typeof formatSpectrum>[0], phrase: string, json: boolean | undefined,
  of: { source: ModelSource; inputs: InputsDescription | ClosedLoopDescription | LeakyDescription } | { jacobians: JacobianFileShape },
): void {
  process.stdout.write(json ? `${toJson({ ...result, ...of })}\n` : `${formatSpectrum(result, phrase, 'source' in of ? of.source : undefined)}\n`);
  for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
}
