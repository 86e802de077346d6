import type { Command } from 'commander';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { loadPlotSource, plotFormatOf, plotSpec, renderPlot, PLOT_KINDS, type PlotKind } from '../../report/plots/index.js';
import { choice, real } from '../parse.js';
import { UsageError } from '../errors.js';
import { refuseExistingOutput } from '../output-file.js';

interface PlotFlags {
  kind: PlotKind;
  out: string;
  feature?: string;
  scale?: number;
  force?: boolean;
}

export function registerPlot(program: Command): void {
  program
    .command('plot')
    .description('draw a spectrum, its convergence, a training run, the angles between covariant Lyapunov vectors or a sweep as an SVG or PNG file')
    .argument('<run-or-json>', 'a training run directory, a spectrum result saved with `spectrum --json`, a CLV result saved with `clv --json` (--kind clv-angles), or a sweep (directory or table)')
    .requiredOption('--kind <kind>', `what to draw: ${PLOT_KINDS.join('|')} (the last four from a sweep)`, choice('--kind', PLOT_KINDS))
    .requiredOption('--out <file>', 'output file, .svg or .png; an existing file is kept unless --force')
    .option('--force', 'overwrite an existing --out file')
    .option('--feature <name>', 'sweep feature of heatmap and loss-vs-feature: lambda1 (default), kaplanYorke, entropy, mean, slope, countAbove')
    .option('--scale <s>', 'PNG pixels per SVG unit (default 2)', real('--scale', 0, 16, { includeMax: true }))
    .action(async (path: string, flags: PlotFlags) => {
      const format = plotFormatOf(flags.out);
      if (!format) throw new UsageError(`--out ${flags.out}: the file name must end in .svg or .png`);
      refuseExistingOutput('--out', flags.out, flags.force);
      const { scale } = flags;
      const spec = plotSpec(flags.kind, loadPlotSource(path), flags.feature ? { feature: flags.feature } : {});
      const bytes = await renderPlot(spec, format, scale === undefined ? {} : { scale });
      writeFileAtomic(flags.out, bytes);
      process.stdout.write(`${flags.out}\n`);
    });
}
