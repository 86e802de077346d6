/** The readout table `analyze` prints. */
import type { ReadoutResult } from './readout.js';
import type { ReadoutData } from './rows.js';

export function formatReadout(data: ReadoutData, result: ReadoutResult): string {
  const cv = result.folds === 'loo' ? 'leave-one-out' : `${result.folds}-fold`;
  const lines = [
    `Readout of ${data.metric} from epoch ${data.epoch}: ${result.n} runs, ${cv} cross-validation` +
      (data.excluded.length > 0 ? ` (${data.excluded.length} runs left out: ${summarizeReasons(data.excluded)})` : ''),
    'ridge regression (α by inner leave-one-out on the training rows) for R² and ρ; "kNN": k nearest neighbours in standardised hyperparameters (k likewise); ' +
      `"quadratic": with squares and pairwise products of the numeric ones; AUC, whether a run trains: logistic regression (kNN: its predictions) ` +
      `for trainable = ${data.metric} ≤ ${fmt(result.threshold, 4)}, ${result.thresholdRule}` +
      (result.aucMethod === 'pooled folds' ? '' : ` (leave-pair-out, ${result.aucMethod.pairs} pairs)`),
    '',
    `${'features'.padEnd(30)} ${'cols'.padStart(4)} ${'R²'.padStart(7)} ${'ρ'.padStart(7)} ${'AUC'.padStart(7)}`,
  ];
  for (const s of result.scores) {
    lines.push(`${s.features.padEnd(30)} ${String(s.columns).padStart(4)} ${fmt(s.r2, 3).padStart(7)} ${fmt(s.spearman, 3).padStart(7)} ${fmt(s.auc, 3).padStart(7)}`);
  }
  lines.push('(cross-validated: R² ≤ 0 means no predictive value; ρ and AUC of such sets scatter around, and somewhat below, 0 and 0.5)');
  const score = (name: string) => result.scores.find((s) => s.features === name);
  const spectrum = score('spectrum');
  const early = score('early loss');
  const both = score('spectrum + early loss');
  if (spectrum && early && both) {
    lines.push('', `spectrum vs early loss: R² ${fmt(spectrum.r2, 3)} vs ${fmt(early.r2, 3)} (${signed(spectrum.r2 - early.r2)}); ` +
      `together ${fmt(both.r2, 3)} (${signed(both.r2 - Math.max(spectrum.r2, early.r2))} over the better one)`);
  }
  lines.push('', ...formatTrainable(data, result), '', ...formatTransfer(result));
  return lines.join('\n');
}

/** How well among the runs that train: R² and ρ cross-validated within them. */
function formatTrainable(data: ReadoutData, result: ReadoutResult): string[] {
  const { trainable } = result;
  const head = `How well among those that train: the ${trainable.n} runs with ${data.metric} ≤ ${fmt(result.threshold, 4)} (${result.thresholdRule})`;
  if (!('scores' in trainable)) return [`${head}: no readout, ${trainable.note}`];
  const cv = trainable.folds === 'loo' ? 'leave-one-out' : `${trainable.folds}-fold`;
  return [
    `${head}, ${cv} cross-validation within them`,
    `${'features'.padEnd(30)} ${'cols'.padStart(4)} ${'R²'.padStart(7)} ${'ρ'.padStart(7)}`,
    ...trainable.scores.map((s) => `${s.features.padEnd(30)} ${String(s.columns).padStart(4)} ${fmt(s.r2, 3).padStart(7)} ${fmt(s.spearman, 3).padStart(7)}`),
  ];
}

/** Fitted on one part of the sweep, scored on another: a column pair (R², ρ) per split. */
function formatTransfer(result: ReadoutResult): string[] {
  const { splits, note } = result.transfer;
  if (splits.length === 0) return [`Transfer across cells and sizes: none, ${note}`];
  const width = Math.max(17, ...splits.map((split) => split.name.length + 1));
  const column = (text: string) => text.padStart(width);
  const pair = (r2: number, rho: number) => column(`${fmt(r2, 3).padStart(7)} ${fmt(rho, 3).padStart(6)}`);
  return [
    'Transfer: fitted on one part of the sweep (α, k chosen within it), scored on a part it never saw, by R² and ρ there; hyperparameters as they are, ' +
      'the spectrum on the size-free axis i/n (exponent i of an n-dimensional state at (i + ½)/n) over the fraction F every network of the split covers',
    `${'features'.padEnd(30)}${splits.map((split) => column(split.name)).join('')}`,
    `${'(runs fitted → scored; F)'.padEnd(30)}${splits.map((split) => column(`${split.nTrain} → ${split.nTest}; ${fmt(split.fraction, 3)}`)).join('')}`,
    `${''.padEnd(30)}${splits.map(() => column(`${'R²'.padStart(7)} ${'ρ'.padStart(6)}`)).join('')}`,
    ...splits[0].scores.map((score, i) => `${score.features.padEnd(30)}${splits.map((split) => pair(split.scores[i].r2, split.scores[i].spearman)).join('')}`),
  ];
}

function summarizeReasons(excluded: ReadoutData['excluded']): string {
  const counts = new Map<string, number>();
  for (const { reason } of excluded) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${n} ${reason}`).join(', ');
}

function fmt(value: number, digits: number): string {
  return Number.isNaN(value) ? '—' : value.toFixed(digits);
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(3)}`;
}
