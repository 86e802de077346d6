import type { Command } from 'commander';
import { statSync } from 'node:fs';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { integer, real } from '../parse.js';
import { toJson } from '../../io/json.js';
import { refuseExistingOutput } from '../output-file.js';

interface AnalyzeFlags {
  epoch?: number;
  metric?: string;
  folds?: number;
  chanceLoss?: number;
  json?: boolean;
  rows?: string;
  force?: boolean;
}

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description("how well a sweep's early spectrum predicts its final metric, against hyperparameters and early loss (cross-validated)")
    .argument('<source>', 'sweep directory, or a results file written by `sweep export` (.jsonl; e.g. experiments/charlm-sizes.results.jsonl)')
    .option('--epoch <E>', "early epoch of the spectrum and loss (default: the spec's readout.epoch; 1 for a results file)", integer('--epoch', 0))
    .option('--metric <name>', "final_<key> or best_<key> of metrics.jsonl (default: the spec's readout.metric; final_val_loss for a results file)")
    .option('--folds <K>', 'K-fold cross-validation; 0: leave-one-out (default: leave-one-out up to 200 runs, else 10)', integer('--folds', 0))
    .option('--chance-loss <L>', "the task's chance loss (e.g. the unigram entropy of a char-LM, in nats): runs at or below 90% of it count as trainable " +
      '(default, or when that leaves every run on one side: the median); the AUC reads whether a run trains, a second table how well among those that do',
    real('--chance-loss', 0, Infinity))
    .option('--json', 'print the table and the per-run rows as JSON (the sweep plots read this)')
    .option('--rows <file>', 'also write that JSON to a file; an existing file is kept unless --force')
    .option('--force', 'overwrite an existing --rows file')
    .action(async (source: string, flags: AnalyzeFlags) => {
      if (flags.rows) refuseExistingOutput('--rows', flags.rows, flags.force);
      const { loadReadoutData, loadResultsFile } = await import('../../sweep/store/index.js');
      const { formatReadout, readoutExport, runReadout } = await import('../../sweep/readout/index.js');
      const data = isFile(source)
        ? loadResultsFile(source, flags.epoch ?? 1, flags.metric ?? 'final_val_loss')
        : loadReadoutData(source, { ...(flags.epoch !== undefined ? { epoch: flags.epoch } : {}), ...(flags.metric ? { metric: flags.metric } : {}) });
      const result = runReadout(data.rows, {
        ...(flags.folds === undefined ? {} : { folds: flags.folds === 0 ? 'loo' : flags.folds }),
        ...(flags.chanceLoss === undefined ? {} : { chanceLoss: flags.chanceLoss }),
      });
      const exported = toJson(readoutExport(data, result));
      if (flags.rows) writeFileAtomic(flags.rows, Buffer.from(`${exported}\n`));
      process.stdout.write(flags.json ? `${exported}\n` : `${formatReadout(data, result)}\n`);
    });
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
}
