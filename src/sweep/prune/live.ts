/**
 * Live successive halving (`sweep --prune`), on the local pool or Redis workers: the warm-up runs (the first of the
 * sweep, when a spectrum model must be fitted) train to the end while every other run trains to
 * the first rung's epoch; there the runs are ranked by the predicted final validation loss, the
 * best share continue to the next rung, the rest are marked pruned (a marker in the run
 * directory, so a re-run neither retries nor trains them); after the last rung the survivors
 * train to the end. Each rung waits for all its runs (a barrier): simple and deterministic, at
 * the price of idle cores while the slowest run of a rung finishes.
 *
 * Re-running the command resumes: runs already past a rung pause there at once, and the ranking
 * includes the runs pruned at that rung before, so the same runs are kept.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { runLocalPool, type SweepEvent } from '../executors/local-pool.js';
import type { LocalSweepOptions } from '../executors/local-sweep.js';
import type { PrunedMarker } from '../store/layout.js';
import { freeFailedRuns, reconcile } from '../store/reconcile.js';
import type { StatusCounts } from '../store/run-index.js';
import { createSweep, type OpenSweep } from '../store/sweep-dir.js';
import { expandSweep } from '../spec/expand.js';
import type { SweepSpec } from '../spec/spec.js';
import { PruneError } from './errors.js';
import { checkPlan, keptCount, type HalvingPlan } from './halving.js';
import { earlyLossModel, fitPruneModel, MIN_FIT_RUNS, predictFinal, type PruneModel, type PruneSignal } from './predictor.js';
import { runHistory } from './sweep-histories.js';

export interface LivePruning extends HalvingPlan {
  signal: PruneSignal;
  /** Models read from a file (`--prune-model`), one per rung epoch for the signal; else fitted on the warm-up. */
  models?: { source: string; models: readonly PruneModel[] };
  /** Runs (the first of the sweep) trained unpruned to fit the model on; default WARMUP_SHARE of the runs, at least MIN_FIT_RUNS, when a model is fitted, else 0. */
  warmup?: number;
}

/** Default warm-up: this share of the runs. */
export const WARMUP_SHARE = 0.2;

/** The warm-up a sweep of `runs` runs gets when a model must be fitted. */
export function defaultWarmup(runs: number): number {
  return Math.max(MIN_FIT_RUNS, Math.round(WARMUP_SHARE * runs));
}

/**
 * Trains the given queued runs, each up to its stop epoch (undefined: to the end), and resolves
 * once none of them is queued or running any more: a local pool, or jobs for Redis workers.
 */
export type TrainPhase = (sweep: OpenSweep, only: ReadonlySet<string>, stopAfter: (id: string) => number | undefined) => Promise<void>;

export async function runPrunedLocalSweep(spec: SweepSpec, outDir: string, pruning: LivePruning, options: LocalSweepOptions = {}): Promise<StatusCounts> {
  const phase: TrainPhase = (sweep, only, stopAfter) => runLocalPool(sweep, {
    jobs: options.jobs ?? availableParallelism(), only, stopAfter,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}), ...(options.signal ? { signal: options.signal } : {}),
  });
  return runPrunedSweep(spec, outDir, pruning, phase, options);
}

/** Successive halving with `phase` training the runs between rungs (see the file's comment). */
export async function runPrunedSweep(
  spec: SweepSpec, outDir: string, pruning: LivePruning, phase: TrainPhase,
  options: Pick<LocalSweepOptions, 'onEvent' | 'signal' | 'onReady'> = {},
): Promise<StatusCounts> {
  checkPlan(pruning);
  const fixed = pruning.rungs.map((epoch) => fixedModel(pruning, epoch));
  // Checked before the sweep directory is created: a sweep too small to prune leaves nothing behind.
  const order = expandSweep(spec).map((run) => run.id);
  const fits = fixed.some((model) => model === undefined);
  const warmup = fits ? (pruning.warmup ?? defaultWarmup(order.length)) : (pruning.warmup ?? 0);
  if (warmup >= order.length) {
    throw new PruneError(`--prune-warmup: the warm-up (${warmup} runs) must leave runs to prune, and the sweep has ${order.length}; fewer warm-up runs or --prune-model`);
  }
  const sweep = createSweep(outDir, spec);
  try {
    freeFailedRuns(sweep);
    reconcile(sweep);
    options.onReady?.();
    const emit = options.onEvent ?? (() => {});
    const warm = new Set(order.slice(0, warmup));
    let alive = order.filter((id) => !warm.has(id));
    for (const [rung, epoch] of pruning.rungs.entries()) {
      await phase(sweep, new Set([...(rung === 0 ? warm : []), ...alive]), (id) => (warm.has(id) ? undefined : epoch));
      if (options.signal?.aborted) return sweep.index.counts();
      const model = fixed[rung] ?? fitOnWarmup(sweep, [...warm], pruning.signal, epoch, emit);
      alive = model === undefined ? alive.filter((id) => rankable(sweep, id)) : pruneAtRung(sweep, alive, model, pruning.keep, emit);
    }
    await phase(sweep, new Set(alive), () => undefined);
    return sweep.index.counts();
  } finally {
    sweep.index.close();
  }
}

/** The model of a rung that needs no fit: from the file, or the early loss itself; undefined when it must be fitted on the warm-up. */
function fixedModel(pruning: LivePruning, epoch: number): PruneModel | undefined {
  if (pruning.models !== undefined) {
    const model = pruning.models.models.find((m) => m.signal === pruning.signal && m.epoch === epoch);
    if (model === undefined) throw new PruneError(`--prune-model ${pruning.models.source}: no ${pruning.signal} model for epoch ${epoch} (it has ${pruning.models.models.map((m) => `${m.signal}@${m.epoch}`).join(', ')})`);
    return model;
  }
  return pruning.signal === 'loss' ? earlyLossModel(epoch) : undefined;
}

/** The signal's model fitted on the finished warm-up runs; undefined (with a note: this rung keeps every run) when too few finished. */
function fitOnWarmup(sweep: OpenSweep, warm: readonly string[], signal: PruneSignal, epoch: number, emit: (event: SweepEvent) => void): PruneModel | undefined {
  const finished = warm.map((id) => sweep.index.get(id)!).filter((run) => run.status === 'done').map((run) => runHistory(sweep, run));
  try {
    return fitPruneModel(signal, epoch, finished);
  } catch (error) {
    if (!(error instanceof PruneError)) throw error;
    emit({ type: 'note', text: `not pruning after epoch ${epoch}: ${error.message} (of ${warm.length} warm-up runs)` });
    return undefined;
  }
}

/** A run that reached the rung and can be ranked: paused there (queued), or pruned there or later by an earlier invocation. */
function rankable(sweep: OpenSweep, id: string): boolean {
  const status = sweep.index.get(id)!.status;
  return status === 'queued' || status === 'pruned';
}

/** Ranks the runs that reached the rung, marks those not kept as pruned, and returns those kept. */
function pruneAtRung(sweep: OpenSweep, alive: readonly string[], model: PruneModel, keep: number, emit: (event: SweepEvent) => void): string[] {
  const ranked = alive.filter((id) => rankable(sweep, id)).map((id, i) => {
    const predicted = predictFinal(model, runHistory(sweep, sweep.index.get(id)!));
    return { id, i, predicted, score: predicted ?? Infinity };
  }).sort((a, b) => a.score - b.score || a.i - b.i);
  const kept = keptCount(ranked.length, keep);
  ranked.slice(kept).forEach(({ id, predicted }, k) => {
    if (sweep.index.get(id)!.status === 'pruned' && existsSync(sweep.layout.prunedMarker(id))) return;
    const reason = predicted === undefined
      ? `no ${model.signal === 'loss' ? 'finite validation loss' : 'spectrum'} after epoch ${model.epoch}`
      : `ranked ${kept + k + 1} of ${ranked.length} on ${model.signal} (${model.fittedOn === 0 ? 'validation loss' : 'predicted final validation loss'} ${predicted.toFixed(4)}; ${kept} kept)`;
    const marker: PrunedMarker = { id, prunedAt: new Date().toISOString(), epoch: model.epoch, reason };
    writeFileAtomic(sweep.layout.prunedMarker(id), Buffer.from(`${JSON.stringify(marker, null, 2)}\n`));
    sweep.index.markPruned(id, reason);
    emit({ type: 'pruned', id, epoch: model.epoch, reason });
  });
  return ranked.slice(0, kept).map(({ id }) => id);
}
