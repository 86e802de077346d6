import type { LinalgKernels } from './kernels.js';
import type { Rng } from './random.js';

/**
 * A Haar-distributed random n×k block with orthonormal columns: QR of a Gaussian block with
 * R's diagonal made positive (Mezzadri 2007).
 */
export function randomOrthonormal(kernels: LinalgKernels, rng: Rng, n: number, k: number): Float64Array {
  const z = rng.fillNormal(new Float64Array(n * k));
  kernels.qrPositive(z, n, k, new Float64Array(k));
  return z;
}

/** The first k columns of the n×n identity, as an n×k block. */
export function identityBlock(n: number, k: number): Float64Array {
  const z = new Float64Array(n * k);
  for (let j = 0; j < k; j++) z[j * n + j] = 1;
  return z;
}
