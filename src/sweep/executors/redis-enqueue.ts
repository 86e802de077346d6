/**
 * The Redis executor's producer: `sweep SPEC --out DIR --executor redis://…` creates (or
 * re-opens) the sweep directory and puts every run not yet done on the queue. The job id names
 * the sweep directory and the run, so enqueuing again adds nothing twice, and the same spec
 * sent to another directory is a sweep of its own. Starting the sweep again gives failed runs a
 * fresh set of attempts, and enqueues again the runs whose jobs Redis lost (a restart without
 * persistence). Workers train the runs and write the run directories (which they must see at
 * the same path); the index is written here only.
 */
import { existsSync } from 'node:fs';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { freeFailedRuns, reconcile } from '../store/reconcile.js';
import { sweepLayout } from '../store/layout.js';
import { connectRedis, jobIdOf, QUEUE_NAME } from './redis-connection.js';
import type { StatusCounts } from '../store/run-index.js';
import type { RunJob } from './run-job.js';
import type { SweepSpec } from '../spec/spec.js';
import { createSweep, type OpenSweep } from '../store/sweep-dir.js';
import { waitForSweep } from './wait-sweep.js';

/** A queued run; BullMQ's `attempts` option carries the sweep's maxAttempts. */
export type QueuedJob = RunJob;

export interface EnqueueResult {
  added: number;
  /** Runs whose failed job was put back on the queue. */
  retried: number;
  /** Of `added`: runs enqueued before whose job the queue no longer held (Redis lost it). */
  lost: number;
  counts: StatusCounts;
}

export interface EnqueueOptions {
  /** Stops enqueuing (what is on the queue stays there; starting the sweep again adds the rest). */
  signal?: AbortSignal;
  /** Called once the sweep directory is ready, before enqueuing (see LocalSweepOptions.onReady). */
  onReady?: () => void;
}

export async function enqueueSweep(spec: SweepSpec, outDir: string, executor: string, options: EnqueueOptions = {}): Promise<EnqueueResult> {
  const connection = await connectRedis(executor);
  const enqueuedBefore = existsSync(sweepLayout(outDir).specFile);
  let sweep: OpenSweep | undefined;
  try {
    sweep = createSweep(outDir, spec);
    freeFailedRuns(sweep);
    reconcile(sweep);
    options.onReady?.();
    const result = await enqueueRuns(sweep, connection, { retryFailed: true, enqueuedBefore, ...(options.signal ? { signal: options.signal } : {}) });
    return { ...result, counts: sweep.index.counts() };
  } finally {
    connection.disconnect();
    sweep?.index.close();
  }
}

/**
 * Puts each run not done on the queue unless its job is there; a failed job is retried only
 * with `retryFailed` (a new start of the sweep, not a check while following it).
 */
export async function enqueueRuns(
  sweep: OpenSweep, connection: Redis, options: { retryFailed: boolean; enqueuedBefore: boolean; signal?: AbortSignal },
): Promise<Omit<EnqueueResult, 'counts'>> {
  const queue = new Queue<QueuedJob>(QUEUE_NAME, { connection });
  let added = 0;
  let retried = 0;
  let lost = 0;
  try {
    for (const run of sweep.runs) {
      if (options.signal?.aborted) break;
      const indexed = sweep.index.get(run.id)!;
      if (indexed.status === 'done' || indexed.status === 'pruned') continue; // pruned by `sweep --prune`: never trained further
      const jobId = jobIdOf(sweep, run.id);
      const existing = await queue.getJob(jobId);
      const state = existing ? await existing.getState() : 'unknown';
      if (state === 'failed') {
        if (options.retryFailed) {
          await existing!.retry('failed', { resetAttemptsMade: true });
          retried++;
        }
        continue;
      }
      if (state === 'completed') await existing!.remove(); // its directory lost the done marker since: train it again
      else if (existing) continue; // waiting, delayed or active
      else if (options.enqueuedBefore && indexed.status !== 'failed') lost++;
      if (indexed.status === 'failed' && !options.retryFailed) continue;
      await queue.add('run', { sweepDir: sweep.layout.root, id: run.id, config: run.config }, {
        jobId,
        attempts: sweep.spec.maxAttempts,
        backoff: { type: 'fixed', delay: 1000 },
      });
      added++;
    }
    return { added, retried, lost };
  } finally {
    await queue.close();
  }
}

/**
 * `sweep --wait`: follows the sweep until no run is queued or running. Whenever the connection
 * to Redis comes back (the server may have restarted and lost its jobs), enqueues again the
 * runs whose job is gone and calls `onLost` with their number.
 */
export async function followRedisSweep(
  dir: string, executor: string, onChange: (counts: StatusCounts) => void, onLost: (runs: number) => void, signal?: AbortSignal,
): Promise<StatusCounts> {
  const connection = await connectRedis(executor);
  let disconnected = false;
  let reconnected = false;
  connection.on('close', () => (disconnected = true));
  connection.on('ready', () => {
    if (disconnected) reconnected = true;
  });
  try {
    return await waitForSweep(dir, onChange, signal, 1000, async (sweep) => {
      if (!reconnected) return;
      reconnected = false;
      const { lost } = await enqueueRuns(sweep, connection, { retryFailed: false, enqueuedBefore: true });
      if (lost > 0) onLost(lost);
    });
  } finally {
    connection.disconnect();
  }
}
