import type { Command } from 'commander';
import { integer } from '../parse.js';
import { UsageError } from '../errors.js';
import { addExecutorOption, chosenExecutor, type ExecutorFlags } from './executor-option.js';
import { stopOnSignals } from './sweep.js';

interface WorkerFlags extends ExecutorFlags {
  concurrency: number;
  stallSeconds: number;
}

export function registerWorker(program: Command): void {
  const worker = program
    .command('worker')
    .description('train sweep runs from a Redis queue (start any number, on any machine that sees the sweep directories)');
  addExecutorOption(worker, 'redis://HOST:PORT, as given to `sweep --executor` (required)')
    .option('--concurrency <N>', 'runs trained at the same time', integer('--concurrency', 1), 1)
    .option('--stall-seconds <S>', 'a run whose worker stopped answering this long is taken over', integer('--stall-seconds', 1), 30)
    .action(async (flags: WorkerFlags) => {
      const executor = chosenExecutor(flags);
      if (executor === undefined) throw new UsageError('worker: --executor redis://HOST:PORT is required');
      const { describeEvent, runWorker } = await import('../../sweep/executors/index.js');
      const controller = stopOnSignals();
      process.stderr.write(`worker ${process.pid}: waiting for runs on ${executor}\n`);
      await runWorker(executor, {
        concurrency: flags.concurrency,
        stallMs: flags.stallSeconds * 1000,
        onEvent: (event) => process.stderr.write(`${describeEvent(event)}\n`),
        signal: controller.signal,
      });
    });
}
