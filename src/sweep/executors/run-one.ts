/**
 * The one place the sweep calls training: train a resolved config into a run directory, or
 * continue the run already there from its last checkpoint.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TRAIN_CONFIG, type TrainConfigInput } from '../../train/config.js';
import { TrainingDivergedError } from '../../train/index.js';
import { trainInRunDirectory } from '../../train/run.js';
import { latestCheckpoint, RUN_FILES } from '../../record/index.js';

export interface RunEnd {
  /** Why training stopped early when the network diverged (a result about the network, not retried). */
  diverged?: string;
  /** Training stopped after this epoch as asked (a rung of successive halving): the run is not complete. */
  paused?: number;
}

/**
 * Trains `config` into `runDir`, resuming the run there if it has one; with `stopAfterEpoch`,
 * only up to that epoch (checkpointed, to be resumed or pruned). The caller holds the run's lock.
 */
export async function trainRun(config: Record<string, unknown>, runDir: string, stopAfterEpoch?: number): Promise<RunEnd> {
  // A directory without config.json is a run killed while being created: nothing to keep.
  if (existsSync(runDir) && !existsSync(join(runDir, RUN_FILES.config))) rmSync(runDir, { recursive: true, force: true });
  const reached = stopAfterEpoch === undefined || !existsSync(runDir) ? undefined : latestCheckpoint(runDir)?.epoch;
  const planned = typeof config.epochs === 'number' ? config.epochs : DEFAULT_TRAIN_CONFIG.epochs;
  if (stopAfterEpoch !== undefined && reached !== undefined && reached >= stopAfterEpoch && reached < planned) return { paused: reached };
  const rung = new AbortController();
  const stopAt = stopAfterEpoch ?? Infinity;
  try {
    await trainInRunDirectory(runDir, config as unknown as TrainConfigInput, {
      resume: true,
      // Aborted after the rung's epoch is checkpointed; training stops before the next epoch's first batch.
      hooks: {
        signal: rung.signal,
        onEpoch: (metrics) => {
          if (metrics.epoch >= stopAt && metrics.epoch < planned) rung.abort();
        },
      },
    });
    return {};
  } catch (error) {
    if (error instanceof TrainingDivergedError) return { diverged: error.message };
    if (rung.signal.aborted) return { paused: stopAt };
    throw error;
  }
}
