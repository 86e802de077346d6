/**
 * The Redis executor's worker (`rnn-lyapunov worker --executor redis://…`, on any number of
 * machines): takes runs off the queue and trains each in its own process, like the local pool.
 * A failed attempt is retried by BullMQ up to the run's maxAttempts. A worker that dies
 * mid-run stops renewing its job's lock; after `stallMs` another worker takes the job over and
 * the run resumes from its last checkpoint (the dead worker's run process died with it). A run
 * another live process holds is put back, delayed, without using up an attempt. Workers write
 * only the run directories and logs, never the sweep's index (SQLite's WAL does not work over
 * the network file systems workers share): the machine that runs the sweep reconciles it.
 */
import { DelayedError, Worker, type Job } from 'bullmq';
import type { SweepEvent } from './local-pool.js';
import { sweepLayout } from '../store/layout.js';
import { attemptHistory } from '../store/run-log.js';
import { connectRedis, QUEUE_NAME } from './redis-connection.js';
import type { QueuedJob } from './redis-enqueue.js';
import { spawnRun, type RunningAttempt } from './spawn-run.js';

export interface WorkerOptions {
  /** Runs trained at the same time by this worker. Default 1. */
  concurrency?: number;
  /** A job whose worker stopped answering for this long is taken over. Default 30 s. */
  stallMs?: number;
  onEvent?: (event: SweepEvent) => void;
  /** Stops the worker: its runs' processes are killed, and their jobs go to other workers. */
  signal?: AbortSignal;
}

/** Runs until `signal` aborts. */
export async function runWorker(executor: string, options: WorkerOptions = {}): Promise<void> {
  const connection = await connectRedis(executor);
  const emit = options.onEvent ?? (() => {});
  const active = new Set<RunningAttempt>();
  const stallMs = options.stallMs ?? 30_000;

  const process_ = async (job: Job<QueuedJob>, token?: string): Promise<string> => {
    const { sweepDir, id, config, stopAfterEpoch } = job.data;
    const layout = sweepLayout(sweepDir);
    const attempt = spawnRun({ sweepDir, id, config, ...(stopAfterEpoch === undefined ? {} : { stopAfterEpoch }) }, () => {
      emit({ type: 'start', id, attempt: attemptHistory(layout, id).counted + 1 });
    });
    active.add(attempt);
    const result = await attempt.result;
    active.delete(attempt);
    if (options.signal?.aborted) {
      // Shutting down: the job stalls and another worker takes it over.
      return new Promise<never>(() => {});
    }
    if (result.outcome === 'trained' || result.outcome === 'already-done') {
      emit({ type: 'done', id, seconds: result.seconds, trained: result.outcome === 'trained' });
      return result.outcome;
    }
    if (result.outcome === 'paused') {
      // At a rung of a pruned sweep (redis-phase.ts): the job is complete, the run waits to be ranked.
      emit({ type: 'paused', id, epoch: stopAfterEpoch! });
      return result.outcome;
    }
    if (result.outcome === 'busy') {
      await job.moveToDelayed(Date.now() + 1000, token);
      throw new DelayedError();
    }
    const attempts = attemptHistory(layout, id).counted;
    const error = result.error ?? 'unknown failure';
    if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) emit({ type: 'failed', id, attempts, error });
    else emit({ type: 'retry', id, attempt: attempts, error });
    throw new Error(error);
  };

  const worker = new Worker<QueuedJob, string>(QUEUE_NAME, process_, {
    connection,
    concurrency: options.concurrency ?? 1,
    lockDuration: stallMs,
    stalledInterval: stallMs,
    // A stall is a dead worker, not a bad run; still bounded, so a run that kills its worker every time ends.
    maxStalledCount: 5,
  });
  worker.on('error', (error) => process.stderr.write(`worker: ${error.message}\n`));

  await new Promise<void>((resolve) => {
    const stop = () => {
      for (const attempt of active) attempt.stop();
      void worker.close(true).finally(() => {
        connection.disconnect();
        resolve();
      });
    };
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop, { once: true });
  });
}
