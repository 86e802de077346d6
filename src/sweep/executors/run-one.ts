/**
 * The one place the sweep calls training: train a resolved config into a run directory, or
 * continue the run already there from its last checkpoint.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainConfigInput } from '../../train/config.js';
import { TrainingDivergedError } from '../../train/index.js';
import { trainInRunDirectory } from '../../train/run.js';
import { RUN_FILES } from '../../record/index.js';

export interface RunEnd {
  /** Why training stopped early when the network diverged (a result about the network, not retried). */
  diverged?: string;
}

/** Trains `config` into `runDir`, resuming the run there if it has one. The caller holds the run's lock. */
export async function trainRun(config: Record<string, unknown>, runDir: string): Promise<RunEnd> {
  // A directory without config.json is a run killed while being created: nothing to keep.
  if (existsSync(runDir) && !existsSync(join(runDir, RUN_FILES.config))) rmSync(runDir, { recursive: true, force: true });
  try {
    await trainInRunDirectory(runDir, config as unknown as TrainConfigInput, { resume: true });
    return {};
  } catch (error) {
    if (error instanceof TrainingDivergedError) return { diverged: error.message };
    throw error;
  }
}
