import type { Command } from 'commander';
import { integer } from '../parse.js';
import { stopOnSignals } from './sweep.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('train sweep runs from a Redis queue (start any number, on any machine that sees the sweep directories)')
    .requiredOption('--backend <url>', 'redis://HOST:PORT, as given to `sweep --backend`')
    .option('--concurrency <N>', 'runs trained at the same time', integer('--concurrency', 1), 1)
    .option('--stall-seconds <S>', 'a run whose worker stopped answering this long is taken over', integer('--stall-seconds', 1), 30)
    .action(async (flags: { backend: string; concurrency: number; stallSeconds: number }) => {
      const { runWorker } = await import('../../sweep/executors/redis-worker.js');
      const { describeEvent } = await import('../../sweep/executors/status-text.js');
      const controller = stopOnSignals();
      process.stderr.write(`worker ${process.pid}: waiting for runs on ${flags.backend}\n`);
      await runWorker(flags.backend, {
        concurrency: flags.concurrency,
        stallMs: flags.stallSeconds * 1000,
        onEvent: (event) => process.stderr.write(`${describeEvent(event)}\n`),
        signal: controller.signal,
      });
    });
}
