/**
 * One phase of a pruned sweep on Redis workers (`sweep --prune --executor redis://…`): puts the
 * given queued runs on the queue, each with the epoch it is to stop after (a rung) or none, and
 * waits until every one of their jobs has completed or failed. A rung's job has an id of its
 * own (the run's job id and the rung), so the job that trains the run to the end later is a new
 * one. Workers write only run directories; this process reconciles the index.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { reconcile } from '../store/reconcile.js';
import type { OpenSweep } from '../store/sweep-dir.js';
import { jobIdOf, QUEUE_NAME } from './redis-connection.js';
import type { QueuedJob } from './redis-enqueue.js';

export interface PhaseOptions {
  signal?: AbortSignal;
  /** How often the jobs' states are looked at. Default 1 s. */
  pollMs?: number;
}

export async function runRedisPhase(
  sweep: OpenSweep, connection: Redis, only: ReadonlySet<string>, stopAfter: (id: string) => number | undefined, options: PhaseOptions = {},
): Promise<void> {
  const queue = new Queue<QueuedJob>(QUEUE_NAME, { connection });
  try {
    reconcile(sweep);
    const jobIds: string[] = [];
    for (const run of sweep.runs) {
      if (!only.has(run.id) || sweep.index.get(run.id)!.status !== 'queued') continue;
      const stopAfterEpoch = stopAfter(run.id);
      const jobId = stopAfterEpoch === undefined ? jobIdOf(sweep, run.id) : `${jobIdOf(sweep, run.id)}-rung${stopAfterEpoch}`;
      jobIds.push(jobId);
      const existing = await queue.getJob(jobId);
      const state = existing === undefined ? undefined : await existing.getState();
      if (state !== undefined && state !== 'completed' && state !== 'failed' && state !== 'unknown') continue; // waiting, delayed or active
      // A finished job whose run is still queued (a phase started again): the run trains, or pauses at once, anew.
      if (existing !== undefined) await existing.remove();
      await queue.add('run', { sweepDir: sweep.layout.root, id: run.id, config: run.config, ...(stopAfterEpoch === undefined ? {} : { stopAfterEpoch }) }, {
        jobId, attempts: sweep.spec.maxAttempts, backoff: { type: 'fixed', delay: 1000 },
      });
    }
    for (;;) {
      if (options.signal?.aborted) return;
      const states = await Promise.all(jobIds.map(async (id) => (await queue.getJob(id))?.getState()));
      if (states.every((state) => state === undefined || state === 'completed' || state === 'failed' || state === 'unknown')) break;
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
    }
    reconcile(sweep);
  } finally {
    await queue.close();
  }
}
