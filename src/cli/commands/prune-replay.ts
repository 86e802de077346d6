import { Option, type Command } from 'commander';
import { statSync } from 'node:fs';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { epochList, integer, real } from '../parse.js';
import { toJson } from '../../io/json.js';
import { UsageError } from '../errors.js';
import { refuseExistingOutput } from '../output-file.js';

interface ReplayFlags {
  epoch: number[];
  keep: number;
  warmup?: number;
  crossfit?: number;
  model?: string;
  cost?: string;
  seeds: number;
  seed: number;
  json?: boolean;
  plot?: string;
  saveModel?: string;
  force?: boolean;
}

/** Random pruning is averaged over at most this many seeds (each one a replay of the sweep). */
const MAX_SEEDS = 10_000;

export function registerPruneReplay(program: Command): void {
  program
    .command('prune-replay')
    .description('replay successive halving on a finished sweep: the compute each pruning strategy (early loss, spectrum, both, random) ' +
      'would have spent and the best final loss it would have found, against no pruning')
    .argument('<source>', 'a sweep directory, or a results file (.jsonl: one run per line with id, hyperparameters, valLoss per epoch from 0, lambda: {epochN: [...]})')
    .option('--epoch <E[,E…]>', 'rung epochs: after each, the runs are ranked and the best share continue (default 1)', epochList('--epoch'), [1])
    .option('--keep <share>', 'share of the ranked runs kept at each rung, in (0, 1] (default 0.5)', real('--keep', 0, 1, { includeMax: true }), 0.5)
    .addOption(new Option('--warmup <N>', 'the first N runs (in the sweep\'s order) train to the end unpruned in every strategy and the spectrum models are fitted on them, ' +
      `as a live sweep does (the default protocol, N = 20% of the runs, at least 8)`).argParser(integer('--warmup', 8)).conflicts(['crossfit', 'model']))
    .addOption(new Option('--crossfit <K>', 'instead: rank each run by a spectrum model fitted on the other K−1 folds of runs (stands for a model from an earlier, similar sweep)')
      .argParser(integer('--crossfit', 2)).conflicts('model'))
    .option('--model <file>', 'instead: rank by the models in a file written by --save-model (fitted on another sweep)')
    .option('--cost <setting[^p]>', "weigh each run's epochs by a numeric setting to a power, e.g. hidden^2 (default: every epoch costs 1)")
    .option('--seeds <N>', 'random pruning is averaged over N seeds (default 200)', integer('--seeds', 1, { max: MAX_SEEDS, why: 'each seed replays the sweep' }), 200)
    .option('--seed <S>', 'seed of the folds and of the random pruning (default 0)', integer('--seed', 0), 0)
    .option('--json', 'print the replay (and, with --plot, the curve it draws) as JSON')
    .option('--plot <file>', 'also draw the best final loss found against compute, each strategy at keep shares from 5% to 100%, as .svg or .png')
    .option('--save-model <file>', 'also fit the spectrum models on every finished run, for `sweep --prune-model` or `prune-replay --model`')
    .option('--force', 'overwrite existing --plot and --save-model files')
    .action(async (source: string, flags: ReplayFlags) => {
      const { plotFormatOf } = await import('../../report/plots/render.js');
      if (flags.plot !== undefined && plotFormatOf(flags.plot) === undefined) throw new UsageError(`--plot ${flags.plot}: the file name must end in .svg or .png`);
      if (flags.plot !== undefined) refuseExistingOutput('--plot', flags.plot, flags.force);
      if (flags.saveModel !== undefined) refuseExistingOutput('--save-model', flags.saveModel, flags.force);
      const prune = await import('../../sweep/prune/index.js');
      const cost = flags.cost === undefined ? undefined : prune.parseCostRule(flags.cost);
      if (flags.cost !== undefined && cost === undefined) throw new UsageError(`--cost must be a setting name with an optional power, e.g. hidden^2; got '${flags.cost}'`);
      const { name, runs, excluded } = readSource(source, cost, prune);
      const plan = { rungs: flags.epoch, keep: flags.keep };
      prune.checkPlan(plan);
      const protocol: import('../../sweep/prune/index.js').FitProtocol = flags.model !== undefined
        ? { kind: 'model', models: prune.readModelFile(flags.model).models, source: flags.model }
        : flags.crossfit !== undefined
          ? { kind: 'crossfit', folds: flags.crossfit }
          : { kind: 'warmup', runs: flags.warmup ?? prune.defaultWarmup(runs.length) };
      const options = { plan, protocol, randomSeeds: flags.seeds, seed: flags.seed };
      const result = prune.replayPruning(runs, options);
      const curve = flags.plot === undefined ? undefined : prune.replayCurve(runs, options);
      if (flags.saveModel !== undefined) {
        const models = flags.epoch.flatMap((epoch) => (['spectrum', 'both'] as const).map((signal) => prune.fitPruneModel(signal, epoch, runs)));
        writeFileAtomic(flags.saveModel, Buffer.from(`${toJson(prune.modelFile(source, models))}\n`));
      }
      if (flags.plot !== undefined) {
        const { pruneSpec, renderPlot } = await import('../../report/plots/index.js');
        const description = `${name}: ${runs.length} runs, ranked after epoch ${flags.epoch.join(', ')}; ${protocol.kind === 'warmup' ? `warm-up of ${protocol.runs} runs` : protocol.kind === 'crossfit' ? `${protocol.kind} ${protocol.folds} folds` : `models from ${protocol.source}`}`;
        const spec = pruneSpec({ points: curve!, sweepBest: result.bestLoss, description });
        writeFileAtomic(flags.plot, await renderPlot(spec, plotFormatOf(flags.plot)!));
      }
      const skipped = excluded.length === 0 ? '' : `\n${excluded.length} runs left out (not finished): ${summarize(excluded)}`;
      process.stdout.write(flags.json
        ? `${toJson({ source, name, excluded, ...result, ...(curve === undefined ? {} : { curve }) })}\n`
        : `${prune.formatReplay(name, result)}${skipped}\n`);
    });
}

function readSource(source: string, cost: import('../../sweep/prune/index.js').CostRule | undefined, prune: typeof import('../../sweep/prune/index.js')) {
  let directory: boolean;
  try {
    directory = statSync(source).isDirectory();
  } catch {
    throw new UsageError(`${source}: no such sweep directory or results file`);
  }
  if (directory) return prune.readSweepHistories(source, cost);
  return { name: source, runs: prune.readResultsFile(source, cost), excluded: [] };
}

function summarize(excluded: readonly { id: string; reason: string }[]): string {
  const reasons = new Map<string, number>();
  for (const { reason } of excluded) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  return [...reasons].map(([reason, n]) => `${n} ${reason}`).join(', ');
}
