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
  addExecutorOption(run, 'local (a pool of processes on this machine) or redis://HOST:PORT (enqueue for workers)', 'local')
    .option('--jobs <N>', 'local: runs trained at the same time (default: all cores)', integer('--jobs', 1))
    .option('--wait', 'redis: after enqueuing, follow the sweep until no run is queued or running')
    .action(async (specPath: string, flags: RunFlags) => {
      const executor = chosenExecutor(flags)!;
      const { loadSweepSpec } = await import('../../sweep/spec/index.js');
      const { formatStatus } = await import('../../sweep/store/index.js');
      const { describeEvent, enqueueSweep, runLocalSweep, waitForSweep } = await import('../../sweep/executors/index.js');
      const spec = loadSweepSpec(specPath, { warn: (line) => process.stderr.write(`warning: ${line}\n`) });
      const controller = stopOnSignals();
      if (executor !== 'local') {
        const { added, retried } = await enqueueSweep(spec, flags.out, executor);
        process.stdout.write(`enqueued ${added} runs${retried > 0 ? ` (${retried} failed ones retried)` : ''} on ${executor}; ` +
          `workers: npx rnn-lyapunov worker --executor ${executor}\n`);
        if (!flags.wait) return;
        const counts = await waitForSweep(flags.out, (c) => process.stderr.write(`${formatStatus(flags.out, c)}\n`), controller.signal);
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
    .command('init')
    .description('write a commented sweep spec to start from (it runs as written; every key: docs/sweep-spec.md)')
    .argument('[file]', 'the spec file to write', 'sweep.yaml')
    .option('--force', 'overwrite the file if it exists')
    .action(async (file: string, flags: { force?: boolean }) => {
      const { writeSweepTemplate } = await import('../../sweep/spec/index.js');
      writeSweepTemplate(file, flags.force);
      process.stdout.write(`wrote ${file}; edit it, then: npx rnn-lyapunov sweep ${file} --out runs/my-sweep\n`);
    });

  sweep
    .command('status')
    .description('progress of a sweep directory, and a table of its runs: parameters, status, epoch, latest validation loss and λ₁')
    .argument('<dir>', 'sweep directory')
    .option('--json', 'print every run as JSON')
    .option('--rebuild', 'recreate the index from the run directories first')
    .action(async (dir: string, flags: { json?: boolean; rebuild?: boolean }) => {
      const { formatRunTable, formatStatus, openSweep, rebuildIndex, reconcile } = await import('../../sweep/store/index.js');
      let opened = openSweep(dir);
      if (flags.rebuild) opened = rebuildIndex(opened, () => openSweep(dir));
      else reconcile(opened);
      try {
        const runs = opened.index.list();
        process.stdout.write(flags.json
          ? `${toJson(runs)}\n`
          : `${formatRunTable(runs, (id) => opened.layout.runDir(id))}\n\n${formatStatus(dir, opened.index.counts(), runs)}\n`);
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
