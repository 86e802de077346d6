/**
 * The Redis executor's worker (`rnn-lyapunov worker --executor redis://…`, on any number of
 * machines): takes runs off the queue and trains each in its own process, like the local pool.
 * A failed attempt is retried by BullMQ up to the run's maxAttempts. A worker that dies
 * mid-run stops renewing its job's lock; after `stallMs` another worker takes the job over and
 * the run resumes from its last checkpoint (the dead worker's run process died with it). A run
 * another live process holds is put back, delayed, without using up an attempt.
 */
import { DelayedError, Worker, type Job } from 'bullmq';
import type { ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import type { SweepEvent } from './local-pool.js';
import { recordAttempts, summarizeRun } from '../store/reconcile.js';
import { connectRedis, QUEUE_NAME } from './redis-connection.js';
import type { QueuedJob } from './redis-enqueue.js';
import { spawnRun } from './spawn-run.js';
import { openSweep, type OpenSweep } from '../store/sweep-dir.js';

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
  const sweeps = new Map<string, OpenSweep>();
  const active = new Set<ChildProcess>();
  const stallMs = options.stallMs ?? 30_000;
  const me = `${hostname()}:${process.pid}`;

  const process_ = async (job: Job<QueuedJob>, token?: string): Promise<string> => {
    const { sweepDir, id, config } = job.data;
    const sweep = sweeps.get(sweepDir) ?? sweeps.set(sweepDir, openSweep(sweepDir)).get(sweepDir)!;
    sweep.index.markRunning(id, me);
    let started = false;
    const attempt = spawnRun({ sweepDir, id, config }, () => {
      started = true;
      emit({ type: 'start', id, attempt: recordAttempts(sweep, id) });
    });
    active.add(attempt.child);
    const result = await attempt.result;
    active.delete(attempt.child);
    if (options.signal?.aborted) {
      // Shutting down: the job stalls and another worker takes it over.
      sweep.index.markQueued(id);
      return new Promise<never>(() => {});
    }
    if (result.outcome === 'trained' || result.outcome === 'already-done') {
      sweep.index.markDone(id, summarizeRun(sweep.layout.runDir(id), sweep.spec.readout));
      emit({ type: 'done', id, seconds: result.seconds, trained: result.outcome === 'trained' });
      return result.outcome;
    }
    if (result.outcome === 'busy') {
      sweep.index.markQueued(id);
      await job.moveToDelayed(Date.now() + 1000, token);
      throw new DelayedError();
    }
    const attempts = started ? recordAttempts(sweep, id) : sweep.index.get(id)!.attempts + 1;
    if (!started) sweep.index.setAttempts(id, attempts);
    const error = result.error ?? 'unknown failure';
    if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
      sweep.index.markFailed(id, error);
      emit({ type: 'failed', id, attempts, error });
    } else {
      sweep.index.markQueued(id, error);
      emit({ type: 'retry', id, attempt: attempts, error });
    }
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
      for (const child of active) child.kill('SIGTERM');
      void worker.close(true).finally(() => {
        connection.disconnect();
        for (const sweep of sweeps.values()) sweep.index.close();
        resolve();
      });
    };
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop, { once: true });
  });
}
