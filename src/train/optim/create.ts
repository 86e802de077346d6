import type { FloatArrayConstructor } from '../../linalg/precision.js';
import { Adam } from './adam.js';
import type { Optimizer, OptimizerConfig } from './optimizer.js';
import { Sgd } from './sgd.js';
import { TrainConfigError } from '../errors.js';

export function createOptimizer(config: OptimizerConfig, size: number, make: FloatArrayConstructor): Optimizer {
  switch (config.name) {
    case 'adam':
      return new Adam(size, make, config.beta1, config.beta2, config.eps);
    case 'sgd':
      return new Sgd(size, make, config.momentum);
    default:
      throw new TrainConfigError(`optimizer must be adam or sgd, got ${String((config as { name: unknown }).name)}`);
  }
}
