/** Fold assignment for cross-validation: leave-one-out, or k folds of a seeded shuffle. */
import { Rng } from '../../linalg/random.js';
import { SweepError } from '../errors.js';

/** Fold index of each of `n` rows. `folds` 'loo' (or ≥ n) gives every row its own fold. */
export function assignFolds(n: number, folds: number | 'loo', seed = 0): number[] {
  if (folds === 'loo' || folds >= n) return Array.from({ length: n }, (_, i) => i);
  if (!Number.isInteger(folds) || folds < 2) throw new SweepError(`folds must be an integer ≥ 2 or 'loo', got ${folds}`);
  const order = Array.from({ length: n }, (_, i) => i);
  const rng = new Rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const fold = new Array<number>(n);
  order.forEach((row, position) => (fold[row] = position % folds));
  return fold;
}

/** Leave-one-out up to this many rows; 10 folds beyond. */
export const LOO_LIMIT = 200;
