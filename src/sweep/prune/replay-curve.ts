/** The replay at several keep shares: best final loss found against compute, one curve per strategy (what the pruning plot draws). */
import { replayPruning, type ReplayOptions } from './replay.js';
import type { RunHistory } from './history.js';

export interface CurvePoint {
  strategy: string;
  keep: number;
  computeFraction: number;
  bestLoss: number;
  regret: number;
  keptBest: number;
}

/** Shares kept at each rung the curve is drawn at, from harsh to none. */
export const CURVE_KEEPS = [0.05, 0.1, 1 / 6, 0.25, 1 / 3, 0.5, 2 / 3, 1];

export function replayCurve(runs: readonly RunHistory[], options: ReplayOptions, keeps: readonly number[] = CURVE_KEEPS): CurvePoint[] {
  return keeps.flatMap((keep) => replayPruning(runs, { ...options, plan: { ...options.plan, keep } }).strategies
    .filter((s) => s.strategy !== 'no pruning' || keep === 1)
    .map((s) => ({ strategy: s.strategy, keep, computeFraction: s.computeFraction, bestLoss: s.bestLoss, regret: s.regret, keptBest: s.keptBest })));
}
