/**
 * The local executor: a pool of run processes (one process per attempt, `jobs` at a time). A
 * run that fails is retried until it has used `maxAttempts` attempts (counted in its log, see
 * LOG_LINES), then marked failed; a run held by another live process (a previous sweep's run
 * still being killed) waits its turn.
 */
import type { ResolvedRun } from '../spec/expand.js';
import { recordAttempts, summarizeRun } from '../store/reconcile.js';
import { spawnRun, type RunningAttempt } from './spawn-run.js';
import type { OpenSweep } from '../store/sweep-dir.js';

export type SweepEvent =
  | { type: 'start'; id: string; attempt: number }
  | { type: 'done'; id: string; seconds: number; trained: boolean }
  | { type: 'retry'; id: string; attempt: number; error: string }
  | { type: 'failed'; id: string; attempts: number; error: string }
  /** Trained up to a rung of successive halving (`sweep --prune`), waiting to be ranked. */
  | { type: 'paused'; id: string; epoch: number }
  /** Stopped by successive halving after a rung. */
  | { type: 'pruned'; id: string; epoch: number; reason: string }
  /** Something the user should know, e.g. a rung that could not prune. */
  | { type: 'note'; text: string };

export interface PoolOptions {
  /** Runs trained at the same time. */
  jobs: number;
  onEvent?: (event: SweepEvent) => void;
  /** Stops the pool: running attempts are killed and their runs re-queued. */
  signal?: AbortSignal;
  /** Wait before asking again for a run another process holds. Default 500 ms. */
  busyRetryMs?: number;
  /** Train only these of the queued runs (default: every queued run). */
  only?: ReadonlySet<string>;
  /** The epoch a run is to stop after (a rung of `sweep --prune`), or undefined to train it to the end. */
  stopAfter?: (id: string) => number | undefined;
}

export async function runLocalPool(sweep: OpenSweep, options: PoolOptions): Promise<void> {
  const { index, layout, spec } = sweep;
  const emit = options.onEvent ?? (() => {});
  // Runs left 'running' by a killed sweep are queued again; their processes died with it.
  for (const run of index.list('running')) index.markQueued(run.id);
  const queued = new Set(index.list('queued').map((run) => run.id));
  const queue: ResolvedRun[] = sweep.runs.filter((run) => queued.has(run.id) && (options.only?.has(run.id) ?? true));
  const active = new Map<string, RunningAttempt>();
  let delayed = 0;

  await new Promise<void>((resolve, reject) => {
    const stop = () => {
      for (const [id, attempt] of active) {
        attempt.stop();
        index.markQueued(id);
      }
      queue.length = 0;
      resolve();
    };
    if (options.signal?.aborted) return stop();
    options.signal?.addEventListener('abort', stop, { once: true });

    const fill = () => {
      if (options.signal?.aborted) return;
      while (active.size < options.jobs && queue.length > 0) launch(queue.shift()!);
      if (active.size === 0 && queue.length === 0 && delayed === 0) resolve();
    };

    const launch = (run: ResolvedRun) => {
      index.markRunning(run.id);
      const stopAfterEpoch = options.stopAfter?.(run.id);
      const job = { sweepDir: layout.root, id: run.id, config: run.config, ...(stopAfterEpoch === undefined ? {} : { stopAfterEpoch }) };
      const attempt = spawnRun(job, () => {
        emit({ type: 'start', id: run.id, attempt: index.get(run.id)!.attempts + 1 });
      });
      active.set(run.id, attempt);
      void attempt.result.then((result) => {
        active.delete(run.id);
        if (options.signal?.aborted) return;
        if (result.outcome === 'trained' || result.outcome === 'already-done') {
          recordAttempts(sweep, run.id);
          index.markDone(run.id, summarizeRun(layout.runDir(run.id), spec.readout));
          emit({ type: 'done', id: run.id, seconds: result.seconds, trained: result.outcome === 'trained' });
        } else if (result.outcome === 'paused') {
          index.markQueued(run.id);
          emit({ type: 'paused', id: run.id, epoch: stopAfterEpoch! });
        } else if (result.outcome === 'busy') {
          index.markQueued(run.id);
          delayed++;
          setTimeout(() => {
            delayed--;
            queue.push(run);
            fill();
          }, options.busyRetryMs ?? 500);
        } else {
          // A failure before training started (a crash while loading) uses up an attempt too.
          const attempts = recordAttempts(sweep, run.id);
          const error = result.error ?? 'unknown failure';
          if (attempts >= spec.maxAttempts) {
            index.markFailed(run.id, error);
            emit({ type: 'failed', id: run.id, attempts, error });
          } else {
            index.markQueued(run.id, error);
            emit({ type: 'retry', id: run.id, attempt: attempts, error });
            queue.push(run);
          }
        }
        fill();
      }).catch((error: unknown) => {
        // The index could not be written (a full disk: SQLITE_FULL): stop the other attempts and let the caller say so.
        for (const other of active.values()) other.stop();
        active.clear();
        queue.length = 0;
        reject(error);
      });
    };
    fill();
  });
}
