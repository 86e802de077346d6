import type { Command } from 'commander';
import { join } from 'node:path';
import type { TrainConfigInput } from '../../train/config.js';
import { progressHooks } from '../../train/progress-line.js';
import { formatTrainingTable } from '../../train/summary-table.js';
import { trainInRunDirectory } from '../../train/run.js';
import { readMetrics } from '../../record/index.js';
import { integer } from '../parse.js';
import { toJson } from '../../io/json.js';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { buildReport } from '../../report/pages/index.js';

interface DemoFlags {
  epochs: number;
  out?: string;
  json?: boolean;
}

/**
 * The main job on defaults: a small LSTM character model of the built-in Shakespeare plays,
 * sized to a few minutes on two cores, with the spectrum taken at every epoch.
 */
export function demoConfig(epochs: number): TrainConfigInput {
  return {
    task: { name: 'charlm', seq: 100 },
    cell: 'lstm', hidden: 64, layers: 1, init: 'default',
    optimizer: 'adam', lr: 4e-3, clip: 5, epochs, batch: 32, seed: 0,
    spectrum: { every: 1, batch: 8, steps: 500, transient: 100, k: 8, lstmState: 'joint' },
  };
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('train a small LSTM on Shakespeare (about 2–3 minutes) and show how its loss and Lyapunov spectrum move together')
    .option('--epochs <E>', 'epochs (default 15)', integer('--epochs', 1), 15)
    .option('--out <dir>', 'run directory (default runs/demo-TIME)')
    .option('--json', 'print the epochs as JSON instead of the table')
    .action(async (flags: DemoFlags) => {
      const out = flags.out ?? join('runs', `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      process.stderr.write(
        `training a 64-unit LSTM character model on Hamlet, Macbeth and Julius Caesar for ${flags.epochs} epochs,\n` +
          'with the first 8 Lyapunov exponents of its joint (h, c) state at initialisation and after every epoch\n',
      );
      const result = await trainInRunDirectory(out, demoConfig(flags.epochs), {
        hooks: progressHooks({ tty: process.stderr.isTTY === true, write: (text) => process.stderr.write(text), epochs: flags.epochs }),
      });
      const metrics = readMetrics(result.dir);
      const report = join(result.dir, 'report.html');
      writeFileAtomic(report, Buffer.from(await buildReport(result.dir)));
      if (flags.json) {
        process.stdout.write(`${toJson({ dir: result.dir, report, metrics })}\n`);
        return;
      }
      process.stdout.write(`\n${formatTrainingTable(metrics, result.task === null ? {} : { chance: result.task })}\n\nlosses in nats/char, exponents in nats/step.\n`);
      process.stdout.write(`run directory: ${result.dir}\n`);
      process.stdout.write(`report:        ${report} (open it in a browser; it needs no network)\n`);
      process.stdout.write(`next: npx rnn-lyapunov plot ${result.dir} --kind training --out training.svg\n`);
    });
}
