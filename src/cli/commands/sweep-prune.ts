/** The `sweep --prune` options: successive halving on the local pool (src/sweep/prune/live.ts). */
import { Option, type Command } from 'commander';
import type { LocalSweepOptions } from '../../sweep/executors/index.js';
import type { SweepSpec } from '../../sweep/spec/index.js';
import { choice, epochList, integer, real } from '../parse.js';
import { UsageError } from '../errors.js';

export interface PruneFlags {
  out: string;
  prune?: boolean;
  pruneEpoch?: number[];
  pruneKeep?: number;
  pruneOn?: 'spectrum' | 'loss' | 'both';
  pruneModel?: string;
  pruneWarmup?: number;
}

const SIGNALS = ['spectrum', 'loss', 'both'] as const;

export function addPruneOptions(command: Command): Command {
  return command
    .option('--prune', 'local, redis: successive halving — after each --prune-epoch, keep the runs predicted best (--prune-keep of them) and stop the rest, ' +
      "marked 'pruned' (not failed, never retried; re-running resumes); with redis this process stays to rank the runs (as --wait); see docs/pruning.md")
    .option('--prune-epoch <E[,E…]>', "with --prune: the rung epochs (default: the spec's readout.epoch)", epochList('--prune-epoch'))
    .option('--prune-keep <share>', 'with --prune: share of the runs kept at each rung, in (0, 1] (default 0.5)', real('--prune-keep', 0, 1, { includeMax: true }))
    .addOption(new Option('--prune-on <signal>', 'with --prune: rank by the predicted final validation loss from the spectrum, from the validation loss, or both, ' +
      'after the rung epoch (default spectrum)').argParser(choice('--prune-on', SIGNALS)))
    .option('--prune-model <file>', 'with --prune: the models (spectrum, both) fitted on an earlier sweep, written by `prune-replay --save-model`; ' +
      'without it, spectrum models are fitted on a warm-up of the first runs, which train unpruned')
    .option('--prune-warmup <N>', 'with --prune: runs (the first of the sweep) trained to the end to fit the model on (default: 20% of the runs, at least 8, ' +
      'when a model is fitted; else 0)', integer('--prune-warmup', 0));
}

/** --prune-* without --prune, or --prune with another executor, is a usage error. */
export function checkPruneFlags(flags: PruneFlags, executor: string): void {
  const given = (['pruneEpoch', 'pruneKeep', 'pruneOn', 'pruneModel', 'pruneWarmup'] as const).filter((key) => flags[key] !== undefined);
  if (!flags.prune && given.length > 0) throw new UsageError(`--${given[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --prune`);
  if (flags.prune && executor !== 'local' && !/^rediss?:/.test(executor)) {
    throw new UsageError(`--prune runs with --executor local or redis://HOST:PORT, not ${executor}${executor === 'claim' ? ': pruning with claim workers is not implemented yet' : ''}`);
  }
}

/** The sweep, pruned: trained by the local pool, or (`executor` redis://…) by Redis workers while this process ranks and prunes. */
export async function pruneSweep(spec: SweepSpec, flags: PruneFlags, executor: string, options: LocalSweepOptions) {
  const { readModelFile, runPrunedLocalSweep, runPrunedRedisSweep } = await import('../../sweep/prune/index.js');
  const pruning = {
    rungs: flags.pruneEpoch ?? [spec.readout.epoch],
    keep: flags.pruneKeep ?? 0.5,
    signal: flags.pruneOn ?? 'spectrum',
    ...(flags.pruneModel === undefined ? {} : { models: { source: flags.pruneModel, models: readModelFile(flags.pruneModel).models } }),
    ...(flags.pruneWarmup === undefined ? {} : { warmup: flags.pruneWarmup }),
  };
  return executor === 'local' ? runPrunedLocalSweep(spec, flags.out, pruning, options) : runPrunedRedisSweep(spec, flags.out, pruning, executor, options);
}
