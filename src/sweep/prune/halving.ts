/**
 * Successive halving replayed on finished histories: every run trains to the first rung's
 * epoch; a ranking orders those that got there, the best share continue to the next rung, and
 * so on; those left after the last rung train to the end. Protected runs (the warm-up a
 * predictor is fitted on) train to the end without being ranked. What each run trained is
 * counted in epochs, weighed by its epoch cost.
 */
import { PruneError } from './errors.js';
import { finalLoss, trainableEpochs, type RunHistory } from './history.js';

export interface HalvingPlan {
  /** Epochs after which runs are ranked, increasing. */
  rungs: number[];
  /** Share of the ranked runs kept at each rung, in (0, 1]; at least one run is kept. */
  keep: number;
}

/** Scores of the candidates at rung `rung` (its index in the plan); lower ranks higher, undefined ranks last. */
export type Ranking = (rung: number, epoch: number, candidates: readonly RunHistory[]) => (number | undefined)[];

export interface RunOutcome {
  id: string;
  /** Epochs it trained. */
  epochs: number;
  /** Epochs × its epoch cost. */
  cost: number;
  /** Trained to its planned end. */
  completed: boolean;
  /** The rung's epoch it was stopped after, if it was. */
  prunedAfter?: number;
}

export function checkPlan(plan: HalvingPlan): void {
  if (!(plan.keep > 0 && plan.keep <= 1)) throw new PruneError(`the share kept at each rung must be in (0, 1], got ${plan.keep}`);
  if (plan.rungs.length === 0) throw new PruneError('successive halving needs at least one rung epoch');
  plan.rungs.forEach((epoch, i) => {
    if (!Number.isInteger(epoch) || epoch < 1 || (i > 0 && epoch <= plan.rungs[i - 1]!)) {
      throw new PruneError(`rung epochs must be increasing integers ≥ 1, got ${plan.rungs.join(',')}`);
    }
  });
}

/** How many of `ranked` runs a rung keeps. */
export function keptCount(ranked: number, keep: number): number {
  return ranked === 0 ? 0 : Math.max(1, Math.ceil(keep * ranked - 1e-9));
}

/** Each run's outcome under the plan, in the runs' order. */
export function simulateHalving(runs: readonly RunHistory[], plan: HalvingPlan, rank: Ranking, isProtected: (run: RunHistory) => boolean = () => false): RunOutcome[] {
  checkPlan(plan);
  const stoppedAt = new Map<string, number>();
  let alive = runs.filter((run) => !isProtected(run));
  plan.rungs.forEach((epoch, rung) => {
    // Runs that end (as planned, or on their own) by this epoch are not ranked: nothing is left to save.
    const ranked = alive.filter((run) => trainableEpochs(run) > epoch);
    const scores = rank(rung, epoch, ranked);
    const order = ranked.map((run, i) => ({ run, i, score: scores[i] ?? Infinity })).sort((a, b) => a.score - b.score || a.i - b.i);
    const kept = new Set(order.slice(0, keptCount(ranked.length, plan.keep)).map((entry) => entry.run));
    for (const { run } of order) if (!kept.has(run)) stoppedAt.set(run.id, epoch);
    alive = [...kept];
  });
  return runs.map((run) => {
    const stop = stoppedAt.get(run.id);
    const epochs = Math.min(trainableEpochs(run), stop ?? Infinity);
    return {
      id: run.id,
      epochs,
      cost: epochs * run.epochCost,
      completed: stop === undefined && Number.isFinite(finalLoss(run)),
      ...(stop === undefined ? {} : { prunedAfter: stop }),
    };
  });
}
