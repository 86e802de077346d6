/**
 * The pruning replay: successive halving simulated on a finished sweep, with each strategy's
 * ranking, against the sweep as it was (no pruning). For each: the compute spent (share of the
 * full sweep's), the best final loss among the runs it trained to the end, that run's rank among
 * all runs, and the regret (how much worse than the sweep's best).
 *
 * A spectrum model must never see the final loss of a run it ranks, nor of runs pruning would
 * have stopped. Two protocols keep that promise:
 *  - warm-up (the default, what a live sweep does): the first runs of the sweep, in its order,
 *    train to the end unpruned; the model is fitted on them and ranks the rest. Every strategy
 *    shares the warm-up, so they spend the same compute and differ only in whom they keep.
 *  - cross-fitted folds: each run is ranked by a model fitted on the other folds' runs; this
 *    stands for a model from an earlier, similar sweep (`--prune-model`), whose cost is not
 *    counted here.
 * A model read from a file (fitted on another sweep) ranks every run.
 */
import { Rng } from '../../linalg/random.js';
import { assignFolds } from '../readout/index.js';
import { finalLoss, type RunHistory } from './history.js';
import { simulateHalving, type HalvingPlan, type Ranking, type RunOutcome } from './halving.js';
import { earlyLossModel, fitPruneModel, predictFinal, type PruneModel, type PruneSignal } from './predictor.js';
import { PruneError } from './errors.js';

export type FitProtocol =
  | { kind: 'warmup'; runs: number }
  | { kind: 'crossfit'; folds: number }
  | { kind: 'model'; models: readonly PruneModel[]; source: string };

export interface ReplayOptions {
  plan: HalvingPlan;
  protocol: FitProtocol;
  /** Random pruning is averaged over this many seeds. Default 200. */
  randomSeeds?: number;
  /** Seed of the folds and of the first random pruning. Default 0. */
  seed?: number;
}

export interface StrategyResult {
  strategy: string;
  /** Compute spent, as a share of the unpruned sweep's. */
  computeFraction: number;
  /** Epochs trained, weighed by their cost, summed over runs. */
  spent: number;
  /** Best final loss among the runs trained to the end (mean over seeds for random pruning). */
  bestLoss: number;
  /** The run with it (null for random pruning). */
  bestId: string | null;
  /** Its rank among all runs by final loss, 1 = the sweep's best (mean over seeds for random pruning). */
  rank: number;
  /** bestLoss less the sweep's best final loss. */
  regret: number;
  /** Whether the sweep's best run was trained to the end (share of seeds for random pruning). */
  keptBest: number;
  /** How many of the sweep's TOP_RUNS best runs were trained to the end (mean over seeds for random pruning). */
  topKept: number;
  /** Runs trained to the end. */
  completed: number;
  /** Random pruning: the seeds it is averaged over. */
  seeds?: number;
}

export interface ReplayResult {
  runs: number;
  /** Compute of the unpruned sweep. */
  fullCost: number;
  plan: HalvingPlan;
  /** The protocol in words. */
  protocol: string;
  bestLoss: number;
  bestId: string | null;
  strategies: StrategyResult[];
  /** Strategies left out, and why. */
  notes: string[];
}

export const STRATEGIES: { name: string; signal: PruneSignal }[] = [
  { name: 'early loss', signal: 'loss' },
  { name: 'spectrum', signal: 'spectrum' },
  { name: 'spectrum + early loss', signal: 'both' },
];

const DEFAULT_RANDOM_SEEDS = 200;

/** The sweep's best runs whose survival `topKept` counts. */
export const TOP_RUNS = 10;

export function replayPruning(runs: readonly RunHistory[], options: ReplayOptions): ReplayResult {
  if (runs.length === 0) throw new PruneError('the replay needs at least one run');
  const { plan, protocol } = options;
  const seed = options.seed ?? 0;
  const finals = runs.map(finalLoss);
  const best = Math.min(...finals);
  const bestId = Number.isFinite(best) ? runs[finals.indexOf(best)]!.id : null;
  const top = new Set(finals.map((v, i) => ({ v, i })).filter(({ v }) => Number.isFinite(v)).sort((a, b) => a.v - b.v || a.i - b.i).slice(0, TOP_RUNS).map(({ i }) => i));
  const unpruned = simulateHalving(runs, { ...plan, keep: 1 }, () => []);
  const fullCost = unpruned.reduce((sum, o) => sum + o.cost, 0);
  const warmup = protocol.kind === 'warmup' ? new Set(runs.slice(0, protocol.runs).map((run) => run.id)) : new Set<string>();
  if (protocol.kind === 'warmup' && protocol.runs >= runs.length) {
    throw new PruneError(`the warm-up (${protocol.runs} runs) must leave runs to prune: the sweep has ${runs.length}`);
  }
  const isProtected = (run: RunHistory) => warmup.has(run.id);
  const score = (outcomes: RunOutcome[], strategy: string): StrategyResult => {
    const spent = outcomes.reduce((sum, o) => sum + o.cost, 0);
    const kept = outcomes.flatMap((o, i) => (o.completed ? [i] : []));
    const found = kept.length === 0 ? Infinity : Math.min(...kept.map((i) => finals[i]!));
    const foundId = kept.find((i) => finals[i] === found);
    return {
      strategy, computeFraction: spent / fullCost, spent, bestLoss: found,
      bestId: foundId === undefined ? null : runs[foundId]!.id,
      rank: 1 + finals.filter((v) => v < found).length,
      regret: found - best,
      keptBest: bestId !== null && kept.some((i) => runs[i]!.id === bestId) ? 1 : 0,
      topKept: kept.filter((i) => top.has(i)).length,
      completed: kept.length,
    };
  };

  const notes: string[] = [];
  const strategies: StrategyResult[] = [score(unpruned, 'no pruning')];
  for (const { name, signal } of STRATEGIES) {
    const ranking = modelRanking(signal, runs, plan, protocol, seed, notes, name);
    if (ranking !== undefined) strategies.push(score(simulateHalving(runs, plan, ranking, isProtected), name));
  }
  strategies.push(randomPruning(runs, plan, isProtected, options.randomSeeds ?? DEFAULT_RANDOM_SEEDS, seed, score));
  return { runs: runs.length, fullCost, plan, protocol: describeProtocol(protocol), bestLoss: best, bestId, strategies, notes };
}

/** The ranking a signal's model gives under the protocol; undefined (with a note) when a model file has none for it. */
function modelRanking(signal: PruneSignal, runs: readonly RunHistory[], plan: HalvingPlan, protocol: FitProtocol, seed: number, notes: string[], name: string): Ranking | undefined {
  if (signal === 'loss') return (_, epoch, candidates) => candidates.map((run) => predictFinal(earlyLossModel(epoch), run));
  if (protocol.kind === 'warmup') {
    const fitted = plan.rungs.map((epoch) => fitPruneModel(signal, epoch, runs.slice(0, protocol.runs)));
    return (rung, _, candidates) => candidates.map((run) => predictFinal(fitted[rung]!, run));
  }
  if (protocol.kind === 'model') {
    const models = plan.rungs.map((epoch) => protocol.models.find((m) => m.signal === signal && m.epoch === epoch));
    const missing = plan.rungs.filter((_, i) => models[i] === undefined);
    if (missing.length > 0) {
      notes.push(`${name}: ${protocol.source} has no ${signal} model for epoch ${missing.join(', ')}`);
      return undefined;
    }
    return (rung, _, candidates) => candidates.map((run) => predictFinal(models[rung]!, run));
  }
  // Cross-fitted: each run's score comes from the model fitted without its fold.
  const fold = assignFolds(runs.length, protocol.folds, seed);
  const scores = plan.rungs.map((epoch) => {
    const byId = new Map<string, number | undefined>();
    for (let f = 0; f <= Math.max(...fold); f++) {
      const model = fitPruneModel(signal, epoch, runs.filter((_, i) => fold[i] !== f));
      runs.forEach((run, i) => fold[i] === f && byId.set(run.id, predictFinal(model, run)));
    }
    return byId;
  });
  return (rung, _, candidates) => candidates.map((run) => scores[rung]!.get(run.id));
}

/** Random pruning, averaged over seeds. */
function randomPruning(
  runs: readonly RunHistory[], plan: HalvingPlan, isProtected: (run: RunHistory) => boolean, seeds: number, seed: number,
  score: (outcomes: RunOutcome[], strategy: string) => StrategyResult,
): StrategyResult {
  const results = Array.from({ length: seeds }, (_, s) => {
    const rng = new Rng(seed + 1 + s);
    return score(simulateHalving(runs, plan, (_, __, candidates) => candidates.map(() => rng.uniform()), isProtected), 'random');
  });
  const mean = (key: 'computeFraction' | 'spent' | 'bestLoss' | 'rank' | 'regret' | 'keptBest' | 'topKept' | 'completed') => results.reduce((sum, r) => sum + r[key], 0) / seeds;
  return {
    strategy: 'random', computeFraction: mean('computeFraction'), spent: mean('spent'), bestLoss: mean('bestLoss'), bestId: null,
    rank: mean('rank'), regret: mean('regret'), keptBest: mean('keptBest'), topKept: mean('topKept'), completed: mean('completed'), seeds,
  };
}

function describeProtocol(protocol: FitProtocol): string {
  switch (protocol.kind) {
    case 'warmup':
      return `warm-up: the first ${protocol.runs} runs train to the end unpruned in every strategy; the spectrum models are fitted on them`;
    case 'crossfit':
      return `cross-fitted: each run ranked by a model fitted on the other ${protocol.folds === Infinity ? 'runs' : `${protocol.folds - 1} folds`} (a model from an earlier, similar sweep; its cost not counted)`;
    case 'model':
      return `models from ${protocol.source}`;
  }
}
