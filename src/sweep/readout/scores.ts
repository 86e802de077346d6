/** Scores of cross-validated predictions: R², Spearman's ρ, ROC AUC. */

/** 1 − Σ(y − ŷ)² / Σ(y − ȳ)²: 0 for predicting the mean, negative when worse than that. */
export function rSquared(actual: readonly number[], predicted: readonly number[]): number {
  const mean = actual.reduce((s, v) => s + v, 0) / actual.length;
  let residual = 0;
  let total = 0;
  actual.forEach((y, i) => {
    residual += (y - predicted[i]) ** 2;
    total += (y - mean) ** 2;
  });
  if (total === 0) throw new RangeError('R² is undefined: the target is constant');
  return 1 - residual / total;
}

/** Pearson correlation of the ranks (ties get their mean rank); NaN when either side is constant. */
export function spearman(a: readonly number[], b: readonly number[]): number {
  return pearson(ranks(a), ranks(b));
}

/**
 * Area under the ROC curve of `scores` for `labels` (1 positive, 0 negative): the probability
 * that a random positive scores above a random negative, ties counting one half (Mann–Whitney).
 */
export function rocAuc(labels: readonly number[], scores: readonly number[]): number {
  const r = ranks(scores);
  let positives = 0;
  let rankSum = 0;
  labels.forEach((label, i) => {
    if (label === 1) {
      positives++;
      rankSum += r[i];
    }
  });
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) throw new RangeError('ROC AUC needs both classes');
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** 1-based ranks, ties averaged. */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((x, y) => x[0] - y[0]);
  const out = new Array<number>(values.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1][0] === order[start][0]) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) out[order[k][1]] = rank;
    start = end + 1;
  }
  return out;
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa === 0 || sbb === 0 ? NaN : sab / Math.sqrt(saa * sbb);
}
