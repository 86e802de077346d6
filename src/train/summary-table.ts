import type { EpochMetrics } from '../record/index.js';

/** The best constant prediction's loss and accuracy (null for regression), as a task states them. */
export interface ChanceLevel {
  chanceLoss: number;
  chanceAccuracy: number | null;
}

export interface TrainingTableOptions {
  /** Leading exponents shown. Default 4. */
  exponents?: number;
  /** Adds a last row with the chance level, so learning can be told from nothing. */
  chance?: ChanceLevel;
}

/** Fewer epochs with a spectrum than this, and a correlation of loss and λ₁ across them says nothing. */
const MIN_CORRELATION_POINTS = 4;

/**
 * A plain-text table of a run, epoch by epoch: losses, accuracy, the leading exponents and
 * the Kaplan–Yorke dimension (and, for a run with gradient flossing, the flossing loss and the
 * λ₁ its last update saw), then the task's chance level; then one line on how the validation
 * loss and λ₁ moved.
 */
/** A loss with 4 decimals, or in exponent form below 1e-3 (a forecaster's MSE), where 4 decimals would read 0.0000. */
export function formatLoss(loss: number): string {
  return loss !== 0 && Math.abs(loss) < 1e-3 ? loss.toExponential(2) : loss.toFixed(4);
}

export function formatTrainingTable(metrics: readonly EpochMetrics[], options: TrainingTableOptions = {}): string {
  const k = Math.min(options.exponents ?? 4, Math.max(0, ...metrics.map((m) => m.lambda?.length ?? 0)));
  const flossing = metrics.some((m) => m.flossLoss !== undefined);
  const header = [
    'epoch', 'train loss', 'val loss', 'val acc', ...Array.from({ length: k }, (_, i) => `λ${subscript(i + 1)}`), 'D_KY',
    ...(flossing ? ['floss loss', 'floss λ₁'] : []),
  ];
  const rows = metrics.map((m) => [
    String(m.epoch),
    m.trainLoss === null ? '–' : formatLoss(m.trainLoss),
    m.valLoss === null ? '–' : formatLoss(m.valLoss),
    m.valAccuracy === null ? '–' : `${(100 * m.valAccuracy).toFixed(1)}%`,
    ...Array.from({ length: k }, (_, i) => (m.lambda?.[i] === undefined ? '–' : signed(m.lambda[i]!))),
    m.kaplanYorke === null ? '–' : m.kaplanYorke.toFixed(2),
    ...(flossing ? [m.flossLoss == null ? '–' : m.flossLoss.toPrecision(3), m.flossLambda?.[0] === undefined ? '–' : signed(m.flossLambda[0])] : []),
  ]);
  const { chance } = options;
  if (chance !== undefined) {
    const accuracy = chance.chanceAccuracy === null ? '–' : `${(100 * chance.chanceAccuracy).toFixed(1)}%`;
    rows.push(['chance', '', chance.chanceLoss.toFixed(4), accuracy, ...Array.from({ length: header.length - 4 }, () => '')]);
  }
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padStart(widths[c]!)).join('  ').trimEnd();
  const out = [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)];
  const summary = movementSummary(metrics);
  if (summary !== null) out.push('', summary);
  return out.join('\n');
}

/** How validation loss and λ₁ changed between the first and last epochs with a spectrum and a loss, and their correlation. */
function movementSummary(metrics: readonly EpochMetrics[]): string | null {
  const points = metrics.filter((m): m is EpochMetrics & { valLoss: number } => m.lambda !== null && m.lambda.length > 0 && m.valLoss !== null);
  if (points.length < 2) return null;
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const loss = points.map((m) => m.valLoss);
  const lambda1 = points.map((m) => m.lambda![0]!);
  const r = points.length < MIN_CORRELATION_POINTS ? `— (needs ${MIN_CORRELATION_POINTS} epochs with a spectrum)` : formatR(pearson(loss, lambda1));
  return `validation loss ${first.valLoss.toFixed(3)} → ${last.valLoss.toFixed(3)} while λ₁ went ${signed(lambda1[0]!)} → ` +
    `${signed(lambda1[lambda1.length - 1]!)} nats/step (epochs ${first.epoch}–${last.epoch}; ` +
    `correlation of the two across epochs r = ${r})`;
}

function formatR(r: number): string {
  return Number.isNaN(r) ? 'n/a' : r.toFixed(2);
}

function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;
}

function subscript(n: number): string {
  return String(n).replace(/\d/g, (d) => '₀₁₂₃₄₅₆₇₈₉'[Number(d)]!);
}
