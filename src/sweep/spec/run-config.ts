/** A run's config checked before the sweep starts, so a typo fails at once instead of in every run. */
import { DEFAULT_TRAIN_CONFIG, resolveTrainConfig, type TrainConfigInput } from '../../train/config.js';
import { SweepError } from '../errors.js';

const TRAIN_OPTIONS = ['task', ...Object.keys(DEFAULT_TRAIN_CONFIG)];

/** Checks a run's config as training will (and rejects unknown options, which training would ignore). */
export function checkRunConfig(id: string, config: Record<string, unknown>): void {
  const unknown = Object.keys(config).filter((key) => !TRAIN_OPTIONS.includes(key));
  if (unknown.length > 0) throw new SweepError(`run ${id}: '${unknown[0]}' is not a training option (known: ${TRAIN_OPTIONS.join(', ')})`);
  try {
    resolveTrainConfig(config as unknown as TrainConfigInput);
  } catch (error) {
    throw new SweepError(`run ${id}: ${(error as Error).message}`);
  }
}
