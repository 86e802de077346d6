import type { Command } from 'commander';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { loadPlotSource, plotSpec, PLOT_KINDS, type PlotKind } from '../../report/plot-source.js';
import { plotFormatOf, renderPlot } from '../../report/render.js';
import { choice } from '../parse.js';
import { UsageError } from '../errors.js';

interface PlotFlags {
  kind: PlotKind;
  out: string;
  scale?: string;
}

export function registerPlot(program: Command): void {
  program
    .command('plot')
    .description('draw a spectrum, its convergence or a training run as an SVG or PNG file')
    .argument('<run-or-json>', 'a training run directory, or a spectrum result saved with `spectrum --json`')
    .requiredOption('--kind <kind>', `what to draw: ${PLOT_KINDS.join('|')}`, choice('--kind', PLOT_KINDS))
    .requiredOption('--out <file>', 'output file, .svg or .png')
    .option('--scale <s>', 'PNG pixels per SVG unit (default 2)')
    .action(async (path: string, flags: PlotFlags) => {
      const format = plotFormatOf(flags.out);
      if (!format) throw new UsageError(`--out ${flags.out}: the file name must end in .svg or .png`);
      const scale = flags.scale === undefined ? undefined : Number(flags.scale);
      if (scale !== undefined && !(scale > 0 && scale <= 16)) throw new UsageError(`--scale must be a number in (0, 16], got '${flags.scale}'`);
      const bytes = await renderPlot(plotSpec(flags.kind, loadPlotSource(path)), format, scale === undefined ? {} : { scale });
      writeFileAtomic(flags.out, bytes);
      process.stdout.write(`${flags.out}\n`);
    });
}
