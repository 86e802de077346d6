import type { Command } from 'commander';
import { loadRnnModel } from '../../io/index.js';
import { modelSpectrumThreaded } from '../../model-spectrum/index.js';
import { formatSpectrum } from '../format-spectrum.js';
import { progressReporter } from '../progress.js';
import { integer } from '../parse.js';
import { UsageError } from '../errors.js';
import { statSync } from 'node:fs';
import { runModel } from '../../train/run-model.js';
import { toJson } from '../json.js';
import { addSpectrumOptions, checkSpectrumFlags, spectrumPlan, type SpectrumFlags } from '../spectrum-options.js';

interface SpectrumCommandFlags extends SpectrumFlags {
  checkpoint?: number;
  json?: boolean;
}

export function registerSpectrum(program: Command): void {
  const command = program
    .command('spectrum')
    .description('Lyapunov spectrum of a PyTorch RNN/LSTM/GRU saved as safetensors, or of a training run')
    .argument('<model>', 'safetensors file holding a PyTorch state dict (weight_ih_l0, weight_hh_l0, …), or a run directory of `train`')
    .option('--checkpoint <epoch>', 'with a run directory: the checkpoint of this epoch (default: the latest)', integer('--checkpoint', 0));
  addSpectrumOptions(command)
    .option('--json', 'print a JSON document instead of the table')
    .action(async (modelPath: string, flags: SpectrumCommandFlags) => {
      checkSpectrumFlags(flags);
      const fromRun = statSync(modelPath, { throwIfNoEntry: false })?.isDirectory() === true;
      if (!fromRun && flags.checkpoint !== undefined) throw new UsageError('--checkpoint needs a run directory');
      const run = fromRun ? runModel(modelPath, flags.checkpoint !== undefined ? { epoch: flags.checkpoint } : {}) : undefined;
      const model = run?.model ?? loadRnnModel(modelPath, flags.cell ? { cell: flags.cell } : {});
      // A run is driven by held-out sequences of its own task unless inputs are given.
      const { inputs, options } = spectrumPlan(model, flags, run && ((batch, steps, seed) => run.heldOutInputs(batch, steps, seed)));
      const result = await modelSpectrumThreaded(model, inputs, { ...options, onProgress: progressReporter('spectrum') });
      const fromRunData = run !== undefined && flags.inputs === undefined && flags.drive === undefined;
      const source = flags.inputs
        ?? (fromRunData ? `held-out data of ${modelPath} (epoch ${run.checkpoint.epoch} checkpoint, seed ${flags.seed})` : `random ${flags.drive ?? 'onehot'} inputs (seed ${flags.seed})`);
      process.stdout.write(flags.json ? `${toJson(result)}\n` : `${formatSpectrum(result, source)}\n`);
      for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
    });
}
