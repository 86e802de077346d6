import { availableParallelism } from 'node:os';
import { runLocalPool, type SweepEvent } from './local-pool.js';
import { freeFailedRuns, reconcile } from '../store/reconcile.js';
import type { StatusCounts } from '../store/run-index.js';
import type { SweepSpec } from '../spec/spec.js';
import { createSweep } from '../store/sweep-dir.js';

export interface LocalSweepOptions {
  /** Runs trained at the same time (default: all cores). */
  jobs?: number;
  onEvent?: (event: SweepEvent) => void;
  signal?: AbortSignal;
  /**
   * Called once the sweep directory is ready, before training starts. Setting up a large sweep
   * takes a while without yielding, so a caller installs its signal handlers here: until then a
   * signal ends the process at once, which loses nothing (the setup writes atomically).
   */
  onReady?: () => void;
}

/**
 * Runs (or resumes) a sweep on this machine: creates or re-opens `outDir`, gives failed runs a
 * fresh set of attempts, brings the index in line with the run directories, and trains every
 * run not yet done. Returns the final counts.
 */
export async function runLocalSweep(spec: SweepSpec, outDir: string, options: LocalSweepOptions = {}): Promise<StatusCounts> {
  const sweep = createSweep(outDir, spec);
  try {
    freeFailedRuns(sweep);
    reconcile(sweep);
    options.onReady?.();
    await runLocalPool(sweep, {
      jobs: options.jobs ?? availableParallelism(),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return sweep.index.counts();
  } finally {
    sweep.index.close();
  }
}
