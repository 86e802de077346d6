import type { Command } from 'commander';
import { integer } from '../parse.js';
import { toJson } from '../json.js';

interface RunFlags {
  out: string;
  backend: string;
  jobs?: number;
  wait?: boolean;
}

// The sweep modules (SQLite, BullMQ) load when a sweep command runs, not with every command.
export function registerSweep(program: Command): void {
  const sweep = program
    .command('sweep')
    .description('train many networks across hyperparameters (crash-safe; re-run the same command to resume)');

  sweep
    .command('run', { isDefault: true })
    .description('run or resume the sweep a spec file describes (the default: `sweep SPEC --out DIR`)')
    .argument('<spec>', 'sweep file (.yaml, .yml or .json)')
    .requiredOption('--out <dir>', 'sweep directory (run directories, index, logs)')
    .option('--backend <backend>', 'local (a pool of processes on this machine) or redis://HOST:PORT (enqueue for workers)', 'local')
    .option('--jobs <N>', 'local: runs trained at the same time (default: all cores)', integer('--jobs', 1))
    .option('--wait', 'redis: after enqueuing, follow the sweep until no run is queued or running')
    .action(async (specPath: string, flags: RunFlags) => {
      const { loadSweepSpec } = await import('../../sweep/spec/spec.js');
      const { describeEvent, formatStatus } = await import('../../sweep/executors/status-text.js');
      const spec = loadSweepSpec(specPath);
      const controller = stopOnSignals();
      if (flags.backend !== 'local') {
        const { enqueueSweep } = await import('../../sweep/executors/redis-enqueue.js');
        const { waitForSweep } = await import('../../sweep/executors/wait-sweep.js');
        const { added, retried } = await enqueueSweep(spec, flags.out, flags.backend);
        process.stdout.write(`enqueued ${added} runs${retried > 0 ? ` (${retried} failed ones retried)` : ''} on ${flags.backend}; ` +
          `workers: rnn-lyapunov worker --backend ${flags.backend}\n`);
        if (!flags.wait) return;
        const counts = await waitForSweep(flags.out, (c) => process.stderr.write(`${formatStatus(flags.out, c)}\n`), controller.signal);
        if (counts.failed > 0) process.exitCode = 1;
        return;
      }
      const { runLocalSweep } = await import('../../sweep/executors/local-sweep.js');
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
    .option('--rebuild', 'recreate the index from the run directories first')
    .action(async (dir: string, flags: { json?: boolean; rebuild?: boolean }) => {
      const { openSweep } = await import('../../sweep/store/sweep-dir.js');
      const { reconcile, rebuildIndex } = await import('../../sweep/store/reconcile.js');
      const { formatStatus } = await import('../../sweep/executors/status-text.js');
      let opened = openSweep(dir);
      if (flags.rebuild) opened = rebuildIndex(opened, () => openSweep(dir));
      else reconcile(opened);
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
