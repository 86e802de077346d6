/**
 * The Redis executor's producer: `sweep SPEC --out DIR --executor redis://…` creates (or
 * re-opens) the sweep directory and puts every run not yet done on the queue. The job id is the
 * run's id (prefixed by the sweep's key), so enqueuing again adds nothing twice; a run whose job
 * failed for good is retried when the sweep is started again. Workers train the runs and write
 * the same sweep directory (which they must see at the same path).
 */
import { Queue } from 'bullmq';
import { reconcile } from '../store/reconcile.js';
import { connectRedis, jobIdOf, QUEUE_NAME } from './redis-connection.js';
import type { RunStatus } from '../store/run-index.js';
import type { RunJob } from './run-job.js';
import type { SweepSpec } from '../spec/spec.js';
import { createSweep } from '../store/sweep-dir.js';

/** A queued run; BullMQ's `attempts` option carries the sweep's maxAttempts. */
export type QueuedJob = RunJob;

export interface EnqueueResult {
  added: number;
  /** Runs whose failed job was put back on the queue. */
  retried: number;
  counts: Record<RunStatus, number>;
}

export async function enqueueSweep(spec: SweepSpec, outDir: string, executor: string): Promise<EnqueueResult> {
  const connection = await connectRedis(executor);
  const sweep = createSweep(outDir, spec);
  const queue = new Queue<QueuedJob>(QUEUE_NAME, { connection });
  let added = 0;
  let retried = 0;
  try {
    reconcile(sweep);
    for (const run of sweep.runs) {
      const indexed = sweep.index.get(run.id)!;
      if (indexed.status === 'done') continue;
      const jobId = jobIdOf(sweep.key, run.id);
      const existing = await queue.getJob(jobId);
      const state = existing ? await existing.getState() : 'unknown';
      if (state === 'failed') {
        await existing!.retry('failed', { resetAttemptsMade: true });
        retried++;
      } else if (state === 'completed') {
        // Its directory lost the done marker since: train it again.
        await existing!.remove();
      } else if (existing) {
        continue; // waiting, delayed or active
      }
      if (state === 'unknown' || state === 'completed') {
        await queue.add('run', { sweepDir: sweep.layout.root, id: run.id, config: run.config }, {
          jobId,
          attempts: spec.maxAttempts,
          backoff: { type: 'fixed', delay: 1000 },
        });
        added++;
      }
      if (indexed.status === 'failed') sweep.index.markQueued(run.id);
    }
    return { added, retried, counts: sweep.index.counts() };
  } finally {
    await queue.close();
    connection.disconnect();
    sweep.index.close();
  }
}
