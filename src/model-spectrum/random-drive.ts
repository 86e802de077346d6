import { Rng } from '../linalg/random.js';
import type { InputSequences } from '../cells/model.js';

export type DriveKind = 'onehot' | 'gaussian';
export const DRIVE_KINDS: readonly DriveKind[] = ['onehot', 'gaussian'];

/**
 * B random input sequences of T steps for a network with `size` inputs, when no data is at
 * hand: one-hot symbols drawn uniformly (what a char-level model sees) or standard normal
 * vectors.
 */
export function randomDrive(kind: DriveKind, batch: number, steps: number, size: number, seed: number): InputSequences {
  const rng = new Rng(seed);
  const data = new Float64Array(batch * steps * size);
  if (kind === 'onehot') {
    for (let s = 0; s < batch * steps; s++) data[s * size + rng.int(size)] = 1;
  } else {
    rng.fillNormal(data);
  }
  return { batch, steps, size, data };
}
