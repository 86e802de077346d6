import type { EpochMetrics, SpectrumRecord } from '../record/index.js';
import type { TrainConfig } from './config.js';
import type { NetworkParams, NetworkSpec } from './network.js';
import type { OptimizerState } from './optim/optimizer.js';
import type { TaskDescription } from './tasks/task.js';

/** Everything needed to continue training exactly after `epoch`. */
export interface TrainCheckpoint {
  epoch: number;
  step: number;
  params: NetworkParams;
  optimizer: OptimizerState;
  /** The flossing Adam's state (runs with flossing only). */
  flossOptimizer?: OptimizerState;
}

export interface RunStart {
  config: TrainConfig;
  network: NetworkSpec;
  task: TaskDescription;
  /** The task's files to store with the run (e.g. the char-LM vocabulary). */
  artifacts: Record<string, string>;
}

/**
 * Where a training run is recorded (the run directory, or memory in tests). The loop calls,
 * in order: resumePoint(); start() when not resuming; then per epoch metrics(), spectrum()
 * and checkpoint() — the checkpoint last, so an epoch whose checkpoint is missing is redone
 * on resume and a recorder must drop its lines of epochs after the resumed checkpoint.
 */
export interface TrainRecorder {
  /** The checkpoint to continue from, or null to start afresh. */
  resumePoint(network: NetworkSpec): TrainCheckpoint | null;
  start(run: RunStart): void;
  metrics(record: EpochMetrics): void;
  spectrum(record: SpectrumRecord): void;
  checkpoint(checkpoint: TrainCheckpoint): void;
}

/** Keeps everything in memory (tests, library use without a run directory). */
export class MemoryRecorder implements TrainRecorder {
  run: RunStart | null = null;
  readonly metricLines: EpochMetrics[] = [];
  readonly spectrumLines: SpectrumRecord[] = [];
  last: TrainCheckpoint | null = null;

  resumePoint(): TrainCheckpoint | null {
    return null;
  }

  start(run: RunStart): void {
    this.run = run;
  }

  metrics(record: EpochMetrics): void {
    this.metricLines.push(record);
  }

  spectrum(record: SpectrumRecord): void {
    this.spectrumLines.push(record);
  }

  checkpoint(checkpoint: TrainCheckpoint): void {
    this.last = checkpoint;
  }
}
