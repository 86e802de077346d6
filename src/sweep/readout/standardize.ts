import { Matrix } from 'ml-matrix';

/**
 * Column means and standard deviations of training data, applied unchanged to held-out data
 * (so nothing about a held-out row leaks into its prediction). Constant columns keep scale 1.
 */
export class Standardizer {
  private constructor(readonly means: number[], readonly scales: number[]) {}

  static fit(x: Matrix): Standardizer {
    const means = x.mean('column');
    const scales = x.standardDeviation('column', { mean: means, unbiased: false }).map((s) => (s > 1e-12 ? s : 1));
    return new Standardizer(means, scales);
  }

  apply(x: Matrix): Matrix {
    return x.clone().subRowVector(this.means).divRowVector(this.scales);
  }
}
