/**
 * The executor without a server, for clusters (`rnn-lyapunov worker --claim SWEEP_DIR`, started
 * any number of times, e.g. by `sbatch --array`): each worker goes through the sweep's runs and
 * trains, one process per attempt, every run not complete (nor pruned) whose lock no live process holds. The
 * run lock (locks/<id>.lock, taken by the run process) is the claim, so two workers never train
 * one run; a killed worker's run process dies with it, and its lock is taken over once its
 * holder is known dead (same host) or its heartbeat lapses (another host). Workers write only
 * the run directories and logs, never the index. A worker ends when every run is complete or
 * has used up its attempts; until then it waits for the runs others hold, to take them over if
 * their worker dies.
 */
import { existsSync } from 'node:fs';
import type { SweepEvent } from './local-pool.js';
import { tryLock, unlock, type LockOwner } from '../store/run-lock.js';
import { attemptHistory } from '../store/run-log.js';
import { createSweep, readSweep } from '../store/sweep-dir.js';
import { freeFailedRuns, reconcile } from '../store/reconcile.js';
import type { StatusCounts } from '../store/run-index.js';
import type { SweepSpec } from '../spec/spec.js';
import { spawnRun, type RunningAttempt } from './spawn-run.js';

export interface ClaimOptions {
  /** Runs trained at the same time by this worker. Default 1. */
  concurrency?: number;
  onEvent?: (event: SweepEvent) => void;
  /** Stops the worker: its run processes are killed, their attempts not counted. */
  signal?: AbortSignal;
  /** How often runs held by others are looked at again. Default 2 s. */
  pollMs?: number;
}

export interface ClaimResult {
  /** Runs complete (by any worker) when this worker ended. */
  done: number;
  /** Runs that used up their attempts. */
  failed: number;
  /** Runs neither (the worker was stopped). */
  left: number;
  /** Runs stopped by successive halving (`sweep --prune`): never claimed. Only when there are some. */
  pruned?: number;
}

export async function runClaimWorker(dir: string, options: ClaimOptions = {}): Promise<ClaimResult> {
  const { layout, runs, spec } = readSweep(dir);
  const emit = options.onEvent ?? (() => {});
  const concurrency = options.concurrency ?? 1;
  const active = new Map<string, RunningAttempt>();
  let wake: () => void = () => {};
  const stop = () => {
    for (const attempt of active.values()) attempt.stop();
    wake();
  };
  options.signal?.addEventListener('abort', stop, { once: true });

  // The worker takes the run's lock before starting its run process (which holds it from then
  // on), so two workers never both start loading the same run.
  const launch = (id: string, config: Record<string, unknown>, claimed: LockOwner) => {
    const attempt = spawnRun({ sweepDir: layout.root, id, config, claimed }, () => {
      emit({ type: 'start', id, attempt: attemptHistory(layout, id).counted + 1 });
    });
    active.set(id, attempt);
    void attempt.result.then((result) => {
      active.delete(id);
      unlock(layout.lockFile(id), claimed); // if its run process died before releasing it
      if (!options.signal?.aborted) {
        if (result.outcome === 'trained' || result.outcome === 'already-done') {
          emit({ type: 'done', id, seconds: result.seconds, trained: result.outcome === 'trained' });
        } else if (result.outcome === 'failed') {
          const attempts = attemptHistory(layout, id).counted;
          const error = result.error ?? 'unknown failure';
          emit(attempts >= spec.maxAttempts ? { type: 'failed', id, attempts, error } : { type: 'retry', id, attempt: attempts, error });
        } // busy: another worker took it first; looked at again on the next pass
      }
      wake();
    });
  };

  try {
    for (;;) {
      const count: ClaimResult = { done: 0, failed: 0, left: 0 };
      for (const run of runs) {
        if (existsSync(layout.doneMarker(run.id))) count.done++;
        else if (existsSync(layout.prunedMarker(run.id))) count.pruned = (count.pruned ?? 0) + 1;
        else if (!active.has(run.id) && attemptHistory(layout, run.id).counted >= spec.maxAttempts) count.failed++;
        else {
          count.left++;
          if (!options.signal?.aborted && active.size < concurrency && !active.has(run.id)) {
            const claimed = tryLock(layout.lockFile(run.id));
            if (claimed !== undefined) launch(run.id, run.config, claimed);
          }
        }
      }
      if (count.left === 0 || (options.signal?.aborted && active.size === 0)) return count;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.pollMs ?? 2000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    options.signal?.removeEventListener('abort', stop);
  }
}

/**
 * `sweep SPEC --out DIR --executor claim`: creates (or re-opens) the sweep directory for claim
 * workers, gives its failed runs a fresh set of attempts, and brings its index up to date;
 * trains nothing. Returns the counts.
 */
export function prepareClaimSweep(spec: SweepSpec, outDir: string): StatusCounts {
  const sweep = createSweep(outDir, spec);
  try {
    freeFailedRuns(sweep);
    reconcile(sweep);
    return sweep.index.counts();
  } finally {
    sweep.index.close();
  }
}
