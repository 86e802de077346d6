import type { Command } from 'commander';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { buildReport } from '../../report/pages/index.js';
import { UsageError } from '../errors.js';
import { refuseExistingOutput } from '../output-file.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write one self-contained HTML file (inline plots and data, no network needed) for a run, a sweep or a spectrum')
    .argument('<run-or-sweep>', 'a training run directory, a sweep table (JSON with rows), or a spectrum result saved with `spectrum --json`')
    .requiredOption('--out <file>', 'output file, .html; an existing file is kept unless --force')
    .option('--force', 'overwrite an existing --out file')
    .action(async (path: string, flags: { out: string; force?: boolean }) => {
      if (!/\.html?$/i.test(flags.out)) throw new UsageError(`--out ${flags.out}: the file name must end in .html`);
      refuseExistingOutput('--out', flags.out, flags.force);
      writeFileAtomic(flags.out, Buffer.from(await buildReport(path)));
      process.stdout.write(`${flags.out}\n`);
    });
}
