import type { Command } from 'commander';
import { integer } from '../parse.js';
import { toJson } from '../json.js';
import { addExecutorOption, chosenExecutor, type ExecutorFlags } from './executor-option.js';

interface RunFlags extends ExecutorFlags {
  out: string;
  jobs?: number;
  wait?: boolean;
}

// The sweep modules (SQLite, BullMQ) load when a sweep command runs, not with every command.
export function registerSweep(program: Command): void {
  const sweep = program
    .command('sweep')
    .description('train many networks across hyperparameters (crash-safe; re-run the same command to resume)');

  const run = sweep
    .command('run', { isDefault: true })
    .description('run or resume the sweep a spec file describes (the default: `sweep SPEC --out DIR`)')
    .argument('<spec>', 'sweep file (.yaml, .yml or .json)')
    .requiredOption('--out <dir>', 'sweep directory (run directories, index, logs)');
  addExecutorOption(run, 'local (a pool of processes on this machine), redis://HOST:PORT (enqueue for workers), or claim (prepare the directory for `worker --claim`)', 'local')
    .option('--jobs <N>', 'local: runs trained at the same time (default: all cores)', integer('--jobs', 1))
    .option('--wait', 'redis, claim: then follow the sweep until no run is queued or running')
    .action(async (specPath: string, flags: RunFlags) => {
      const executor = chosenExecutor(flags)!;
      const { loadSweepSpec } = await import('../../sweep/spec/index.js');
      const { formatStatus } = await import('../../sweep/store/index.js');
      const executors = await import('../../sweep/executors/index.js');
      const { describeEvent, runLocalSweep } = executors;
      const spec = loadSweepSpec(specPath);
      const controller = stopOnSignals();
      const onChange = (c: Parameters<typeof formatStatus>[1]) => process.stderr.write(`${formatStatus(flags.out, c)}\n`);
      const lostLine = (lost: number) => `${lost} queued runs had lost their jobs (Redis restarted without persistence?) and were enqueued again`;
      if (executor !== 'local') {
        if (executor === 'claim') {
          executors.prepareClaimSweep(spec, flags.out);
          process.stdout.write(`prepared ${flags.out}; workers (any number, on machines that see it at this path): npx rnn-lyapunov worker --claim ${flags.out}\n`);
        } else {
          const { added, retried, lost } = await executors.enqueueSweep(spec, flags.out, executor);
          if (lost > 0) process.stderr.write(`${lostLine(lost)}\n`);
          process.stdout.write(`enqueued ${added} runs${retried > 0 ? ` (${retried} failed ones retried)` : ''} on ${executor}; ` +
            `workers: npx rnn-lyapunov worker --executor ${executor}\n`);
        }
        if (!flags.wait) return;
        const counts = executor === 'claim'
          ? await executors.waitForSweep(flags.out, onChange, controller.signal)
          : await executors.followRedisSweep(flags.out, executor, onChange, (lost) => process.stderr.write(`${lostLine(lost)}\n`), controller.signal);
        if (counts.failed > 0) process.exitCode = 1;
        return;
      }
      const counts = await runLocalSweep(spec, flags.out, {
        ...(flags.jobs ? { jobs: flags.jobs } : {}),
        onEvent: (event) => process.stderr.write(`${describeEvent(event)}\n`),
        signal: controller.signal,
      });
      process.stdout.write(`${formatStatus(flags.out, counts)}\n`);
      if (controller.signal.aborted) process.exitCode = 130;
      else if (counts.failed > 0) process.exitCode = 1;
    });

  sweep
    .command('status')
    .description('done / running / failed / queued runs of a sweep directory')
    .argument('<dir>', 'sweep directory')
    .option('--json', 'print every run as JSON')
    .option('--rebuild', 'recreate the index from the run directories first (also repairs a corrupt index)')
    .action(async (dir: string, flags: { json?: boolean; rebuild?: boolean }) => {
      const { formatStatus, openSweep, rebuildIndex, reconcile } = await import('../../sweep/store/index.js');
      const opened = flags.rebuild ? rebuildIndex(dir) : openSweep(dir);
      if (!flags.rebuild) reconcile(opened);
      try {
        process.stdout.write(flags.json ? `${toJson(opened.index.list())}\n` : `${formatStatus(dir, opened.index.counts(), opened.index.list())}\n`);
      } finally {
        opened.index.close();
      }
    });
}

/** SIGINT/SIGTERM stop a sweep or worker cleanly: running attempts are killed and their runs re-queued. */
export function stopOnSignals(): AbortController {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller;
}
