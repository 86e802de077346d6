import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { integer } from '../parse.js';
import { toJson } from '../../io/json.js';
import { refuseExistingOutput } from '../output-file.js';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { addExecutorOption, chosenExecutor, type ExecutorFlags } from './executor-option.js';
import { sweepForWorkers } from './sweep-for-workers.js';
import { stopOnSignals } from './stop-signals.js';
import { addPruneOptions, checkPruneFlags, pruneSweep, type PruneFlags } from './sweep-prune.js';
import type { SweepEvent } from '../../sweep/executors/index.js';

interface RunFlags extends ExecutorFlags, PruneFlags {
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
    // Each run is a process training on one core: more than the cores cannot finish sooner, and each costs its memory.
    .option('--jobs <N>', 'local: runs trained at the same time, at most the cores available (default: all cores)',
      integer('--jobs', 1, { max: availableParallelism(), why: 'the cores available' }))
    .option('--wait', 'redis, claim: then follow the sweep until no run is queued or running');
  addPruneOptions(run)
    .action(async (specPath: string, flags: RunFlags) => {
      const executor = chosenExecutor(flags)!;
      checkPruneFlags(flags, executor);
      const { loadSweepSpec } = await import('../../sweep/spec/index.js');
      const { formatStatus } = await import('../../sweep/store/index.js');
      const { describeEvent, runLocalSweep } = await import('../../sweep/executors/index.js');
      const spec = loadSweepSpec(specPath, { warn: (line) => process.stderr.write(`warning: ${line}\n`) });
      if (executor !== 'local' && !flags.prune) return sweepForWorkers(spec, flags.out, executor, flags.wait === true);
      // Signals stop the sweep cleanly once it is set up (onReady); until then they end it at once.
      const controller = new AbortController();
      const options = {
        ...(flags.jobs ? { jobs: flags.jobs } : {}),
        onEvent: (event: SweepEvent) => process.stderr.write(`${describeEvent(event)}\n`),
        signal: controller.signal,
        onReady: () => stopOnSignals(controller),
      };
      const counts = flags.prune ? await pruneSweep(spec, flags, executor, options) : await runLocalSweep(spec, flags.out, options);
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
    .option('--rebuild', 'recreate the index from the run directories first (also repairs a corrupt index)')
    .action(async (dir: string, flags: { json?: boolean; rebuild?: boolean }) => {
      const { formatRunTable, formatStatus, openSweep, rebuildIndex, reconcile } = await import('../../sweep/store/index.js');
      const opened = flags.rebuild ? rebuildIndex(dir) : openSweep(dir);
      if (!flags.rebuild) reconcile(opened);
      try {
        const runs = opened.index.list();
        process.stdout.write(flags.json
          ? `${toJson(runs)}\n`
          : `${formatRunTable(runs, (id) => opened.layout.runDir(id))}\n\n${formatStatus(dir, opened.index.counts(), runs)}\n`);
      } finally {
        opened.index.close();
      }
    });

  sweep
    .command('export')
    .description("one JSON line per finished run — hyperparameters, state dimension, validation loss and spectrum after every epoch — " +
      'so the readout can be redone without the run directories: `analyze FILE.jsonl`')
    .argument('<dir>', 'sweep directory')
    .option('--out <file>', 'write to this file (default: standard output); an existing file is kept unless --force')
    .option('--force', 'overwrite an existing --out file')
    .action(async (dir: string, flags: { out?: string; force?: boolean }) => {
      if (flags.out) refuseExistingOutput('--out', flags.out, flags.force);
      const { formatResults, sweepResults } = await import('../../sweep/store/index.js');
      const { lines, left } = sweepResults(dir);
      const text = formatResults(lines);
      if (flags.out) writeFileAtomic(flags.out, Buffer.from(text));
      else process.stdout.write(text);
      const leftNote = left.length > 0 ? ` (${left.length} left out: not done)` : '';
      process.stderr.write(`${lines.length} runs${leftNote}${flags.out ? ` written to ${flags.out}` : ''}\n`);
    });
}
