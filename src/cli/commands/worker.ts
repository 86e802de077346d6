import type { Command } from 'commander';
import { Option } from 'commander';
import { integer } from '../parse.js';
import { UsageError } from '../errors.js';
import { addExecutorOption, chosenExecutor, type ExecutorFlags } from './executor-option.js';
import { stopOnSignals } from './stop-signals.js';

interface WorkerFlags extends ExecutorFlags {
  claim?: string;
  concurrency: number;
  stallSeconds: number;
}

export function registerWorker(program: Command): void {
  const worker = program
    .command('worker')
    .description('train sweep runs from a Redis queue, or (--claim) by claiming them in a shared sweep directory; start any number, on any machine that sees the sweep directories');
  addExecutorOption(worker, 'redis://HOST:PORT, as given to `sweep --executor` (required unless --claim)')
    .addOption(new Option('--claim <sweep-dir>', 'no server: claim runs through the run locks of this sweep directory (made by `sweep SPEC --out DIR --executor claim`); ends when every run is done or failed').conflicts(['executor', 'backend']))
    .option('--concurrency <N>', 'runs trained at the same time', integer('--concurrency', 1), 1)
    .option('--stall-seconds <S>', 'redis: a run whose worker stopped answering this long is taken over', integer('--stall-seconds', 1), 30)
    .action(async (flags: WorkerFlags) => {
      const { describeEvent, runClaimWorker, runWorker } = await import('../../sweep/executors/index.js');
      const onEvent = (event: Parameters<typeof describeEvent>[0]) => process.stderr.write(`${describeEvent(event)}\n`);
      const controller = stopOnSignals();
      if (flags.claim !== undefined) {
        process.stderr.write(`worker ${process.pid}: claiming runs in ${flags.claim}\n`);
        const { done, failed, left, pruned } = await runClaimWorker(flags.claim, { concurrency: flags.concurrency, onEvent, signal: controller.signal });
        process.stdout.write(`${flags.claim}: done ${done}, failed ${failed}${pruned ? `, pruned ${pruned}` : ''}${left > 0 ? `, left ${left} (stopped)` : ''}\n`);
        if (controller.signal.aborted) process.exitCode = 130;
        else if (failed > 0) process.exitCode = 1;
        return;
      }
      const executor = chosenExecutor(flags);
      if (executor === undefined) throw new UsageError('worker: --executor redis://HOST:PORT or --claim SWEEP_DIR is required');
      process.stderr.write(`worker ${process.pid}: waiting for runs on ${executor}\n`);
      await runWorker(executor, {
        concurrency: flags.concurrency,
        stallMs: flags.stallSeconds * 1000,
        onEvent,
        signal: controller.signal,
      });
    });
}
