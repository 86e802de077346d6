import type { Command } from 'commander';
import { loadSweepSpec } from '../../sweep/spec.js';
import { runLocalSweep } from '../../sweep/local-sweep.js';
import { describeEvent, formatStatus } from '../../sweep/report.js';
import { openSweep } from '../../sweep/sweep-dir.js';
import { reconcile, rebuildIndex } from '../../sweep/reconcile.js';
import { integer } from '../parse.js';
import { UsageError } from '../errors.js';
import { toJson } from '../json.js';

interface RunFlags {
  out: string;
  backend: string;
  jobs?: number;
}

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
    .action(async (specPath: string, flags: RunFlags) => {
      const spec = loadSweepSpec(specPath);
      if (flags.backend !== 'local') throw new UsageError(`--backend must be local or redis://HOST:PORT, got '${flags.backend}'`);
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
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
    .action((dir: string, flags: { json?: boolean; rebuild?: boolean }) => {
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
