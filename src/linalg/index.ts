export type { LinalgKernels } from './kernels.js';
export { referenceKernels } from './reference.js';
export { Rng } from './random.js';
export { randomOrthonormal, identityBlock } from './orthonormal.js';
