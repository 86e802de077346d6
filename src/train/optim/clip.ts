import type { FloatArray } from '../../linalg/precision.js';
import { TrainConfigError } from '../errors.js';

/**
 * Global L2 gradient-norm clipping as torch.nn.utils.clip_grad_norm_: when the norm exceeds
 * maxNorm, scale by maxNorm / (norm + 1e-6). Returns the norm before clipping. No clipping
 * when maxNorm is undefined or infinite.
 */
export function clipGradientNorm(grad: FloatArray, maxNorm?: number): number {
  let sum = 0;
  for (let i = 0; i < grad.length; i++) sum += grad[i]! * grad[i]!;
  const norm = Math.sqrt(sum);
  if (maxNorm !== undefined && Number.isFinite(maxNorm)) {
    if (!(maxNorm > 0)) throw new TrainConfigError(`gradient clipping norm must be > 0, got ${maxNorm}`);
    const coefficient = maxNorm / (norm + 1e-6);
    if (coefficient < 1) for (let i = 0; i < grad.length; i++) grad[i] *= coefficient;
  }
  return norm;
}
