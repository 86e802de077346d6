import type { Command } from 'commander';
import { modelSpectrumThreaded } from '../../model-spectrum/index.js';
import { formatSpectrum } from '../format-spectrum.js';
import { progressReporter } from '../progress.js';
import { integer } from '../parse.js';
import { toJson } from '../json.js';
import { addSpectrumOptions, checkSpectrumFlags, spectrumPlan, type SpectrumFlags } from '../spectrum-options.js';
import { loadModelArgument } from '../model-argument.js';

interface SpectrumCommandFlags extends SpectrumFlags {
  checkpoint?: number;
  json?: boolean;
}

export function registerSpectrum(program: Command): void {
  const command = program
    .command('spectrum')
    .description('Lyapunov spectrum of a PyTorch RNN/LSTM/GRU saved as safetensors, with torch.save or exported to ONNX, or of a training run. The output says ' +
      'which tensors of the file were used and which ignored, and what drove the model (the JSON: `source`, `inputs`). A model with an embedding ' +
      '(a tensor [V, I] named like embedding.weight, as wide as the RNN\'s input) is driven through it: by --text, --tokens, or by ' +
      'default random tokens; the Jacobians are the RNN\'s at the embedded inputs.')
    .argument('<model>', 'safetensors or torch.save file (.pt, .pth, .bin, .ckpt) holding a PyTorch state dict (weight_ih_l0, weight_hh_l0, …, under any prefix) or a checkpoint dict with one, .onnx file with RNN/GRU/LSTM nodes (docs/onnx.md), or a run directory of `train`')
    .option('--checkpoint <epoch>', 'with a run directory: the checkpoint of this epoch (default: the latest)', integer('--checkpoint', 0));
  addSpectrumOptions(command)
    .option('--json', 'print a JSON document instead of the table')
    .action(async (modelPath: string, flags: SpectrumCommandFlags) => {
      checkSpectrumFlags(flags);
      const { file, run } = loadModelArgument(modelPath, flags);
      const plan = spectrumPlan(file, flags, modelPath, run);
      for (const warning of plan.warnings) process.stderr.write(`warning: ${warning}\n`);
      const result = await modelSpectrumThreaded(file.model, plan.inputs, { ...plan.options, onProgress: progressReporter('spectrum') });
      process.stdout.write(flags.json
        ? `${toJson({ ...result, source: plan.source, inputs: plan.description })}\n`
        : `${formatSpectrum(result, plan.phrase, plan.source)}\n`);
      for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
    });
}
