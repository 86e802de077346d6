import type { CellSystem } from './system.js';

/**
 * log|det J_b| of the last step for every trajectory b: the sum-rule ingredient
 * (Σλ_i = time average of log|det J_t| when k = n). Closed form for vanilla RNNs.
 */
export function cellLogAbsDet(system: CellSystem): Float64Array {
  const out = new Float64Array(system.batch);
  system.logAbsDet(out);
  return out;
}
