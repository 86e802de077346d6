import type { Command } from 'commander';
import { modelSpectrumThreaded } from '../../model-spectrum/index.js';
import { DEFAULT_CHECKPOINT_PATTERN, watchCheckpoints, type WatchEvent } from '../../record/index.js';
import { integer } from '../parse.js';
import { progressReporter } from '../progress.js';
import { addSpectrumOptions, checkSpectrumFlags, loadOptionsOf, spectrumPlan, type SpectrumFlags } from '../spectrum-options.js';
import { stopOnSignals } from './stop-signals.js';

interface WatchFlags extends SpectrumFlags {
  out: string;
  pattern: string;
  once?: boolean;
  pollMs: number;
}

export function registerWatch(program: Command): void {
  const command = program
    .command('watch')
    .description('spectrum of each checkpoint a training loop saves, once the file is complete, recorded as a run directory that serve, report and plot read')
    .argument('<checkpoint-dir>', 'directory the training loop saves checkpoints in (safetensors state dicts; .pt/.pth where readable)')
    .requiredOption('--out <run-dir>', 'run directory the spectra are recorded in (created; a restarted watch continues it, each checkpoint handled once)')
    .option('--pattern <glob>', `names of the checkpoint files: * ? [abc] {a,b} (default: ${DEFAULT_CHECKPOINT_PATTERN})`, DEFAULT_CHECKPOINT_PATTERN)
    .option('--once', 'handle the checkpoints complete now, then exit (default: watch until Ctrl-C or SIGTERM)')
    .option('--poll-ms <ms>', 'time between two looks at the directory; a file is complete once unchanged over one look and it parses (default: 1000)', integer('--poll-ms', 10), 1000);
  addSpectrumOptions(command)
    .addHelpText('after', `
The epoch of a checkpoint is its metadata's 'epoch', else the number in its name (epoch_0003.pt,
epoch=3-step=120.ckpt), else its place in the order of saving; train_loss, val_loss, lr and
step stored in its metadata go to metrics.jsonl. A file that does not parse is waited for
while it was modified in the last minute, then skipped with a warning (and not tried again).
Ctrl-C or SIGTERM stops after the spectrum being computed is recorded; a second one stops at once.`)
    .action(async (checkpoints: string, flags: WatchFlags) => {
      checkSpectrumFlags(flags);
      const controller = stopOnSignals();
      controller.signal.addEventListener('abort', () => process.stderr.write('stopping after the checkpoint being handled (again to stop at once)\n'));
      const { out, pattern, once, pollMs, threads: _threads, memoryBudget: _budget, ...settings } = flags;
      const result = await watchCheckpoints({
        checkpoints, out, pattern, once: once === true, pollMs, settings,
        load: loadOptionsOf(flags),
        signal: controller.signal,
        spectrum: (rnn, file) => {
          const plan = spectrumPlan(rnn, flags, file.path);
          for (const warning of plan.warnings) process.stderr.write(`warning: ${file.name}: ${warning}\n`);
          return modelSpectrumThreaded(rnn.model, plan.inputs, { ...plan.options, onProgress: progressReporter(`spectrum of ${file.name}`) });
        },
        onEvent: (event) => report(event, checkpoints, pattern),
      });
      if (result.pending.length > 0) process.stderr.write(`not complete yet, left for the next watch: ${result.pending.join(', ')}\n`);
    });
}

function report(event: WatchEvent, checkpoints: string, pattern: string): void {
  switch (event.kind) {
    case 'opened':
      process.stderr.write(`watching ${checkpoints}/${pattern} → ${event.dir}${event.handled > 0 ? ` (continuing: ${event.handled} checkpoints handled before)` : ''}\n`);
      return;
    case 'recorded': {
      const s = event.spectrum;
      process.stdout.write(`epoch ${event.epoch}  ${event.file}  λ₁ = ${s.exponents[0]!.toFixed(5)} ${s.units}  (k = ${s.exponents.length})\n`);
      for (const warning of s.warnings) process.stderr.write(`warning: ${event.file}: ${warning}\n`);
      return;
    }
    case 'skipped':
      process.stderr.write(`warning: skipped ${event.file}: ${event.reason}\n`);
  }
}
