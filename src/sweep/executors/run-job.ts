/**
 * One attempt at one run, in the process that trains it: skip a run already complete, take the
 * run's lock, train (resuming from the last checkpoint when the directory holds one), then mark
 * the directory complete. The done marker is written only after the trainer returns, and is
 * checked again under the lock, so a complete run is never trained again.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { sweepLayout, type DoneMarker } from '../store/layout.js';
import type { RunEnd } from './run-one.js';
import { readOwner, tryLock, unlock, type LockOwner } from '../store/run-lock.js';

export interface RunJob {
  sweepDir: string;
  id: string;
  config: Record<string, unknown>;
  /** The run's lock, already taken for this job by its parent (a claim worker); else the job takes it. */
  claimed?: LockOwner;
  /** Train only up to this epoch (a rung of `sweep --prune`); the run is left incomplete, to be resumed or pruned. */
  stopAfterEpoch?: number;
}

/** Trains `config` into `runDir`; when `runDir` already holds the run, continues it from its last checkpoint. */
export type TrainRun = (config: Record<string, unknown>, runDir: string, stopAfterEpoch?: number) => Promise<RunEnd>;

/** Exit code of a run process that found the run held by another live process. */
export const EXIT_BUSY = 75;

/** Starts the last line a failed run process prints: the error's message. */
export const FAILURE_PREFIX = 'run failed: ';

/** 'paused': trained up to the job's stopAfterEpoch, not complete. */
export type JobOutcome = 'trained' | 'already-done' | 'busy' | 'paused';

/** What a run process tells its parent: training started (attempt counted), and the outcome. */
export type ChildMessage = { type: 'started' } | { type: 'outcome'; outcome: JobOutcome };

export async function executeRunJob(job: RunJob, trainRun: TrainRun, onLocked: (lockFile: string) => void = () => {}): Promise<JobOutcome> {
  const layout = sweepLayout(job.sweepDir);
  const marker = layout.doneMarker(job.id);
  if (existsSync(marker)) return 'already-done';
  const lockFile = layout.lockFile(job.id);
  const owner = job.claimed ?? tryLock(lockFile);
  if (owner === undefined || readOwner(lockFile)?.token !== owner.token) return 'busy';
  try {
    if (existsSync(marker)) return 'already-done'; // finished by the previous holder
    onLocked(lockFile);
    mkdirSync(layout.runsDir, { recursive: true });
    const end = await trainRun(job.config, layout.runDir(job.id), job.stopAfterEpoch);
    if (end.paused !== undefined) return 'paused';
    const done: DoneMarker = { id: job.id, completedAt: new Date().toISOString(), host: hostname(), pid: process.pid, ...end };
    writeFileAtomic(marker, Buffer.from(`${JSON.stringify(done, null, 2)}\n`));
    return 'trained';
  } finally {
    unlock(lockFile, owner);
  }
}
