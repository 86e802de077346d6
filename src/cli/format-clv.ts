import { describeModel, type ModelClvResult } from '../model-spectrum/index.js';
import type { Distribution } from '../lyapunov/index.js';

/** Quantiles shown in the table (of those the distributions keep). */
const SHOWN = [0.01, 0.25, 0.5, 0.75, 0.99];
const ANGLE_LABEL = 28;

/**
 * The human-readable summary of a `clv` run: per CLV its exponent (mean growth), the spread of
 * its local growth rate and where it lives; then the angle distributions.
 */
export function formatClv({ clv, summary, model }: ModelClvResult, source: string): string {
  const lines = [
    describeModel(model),
    `driven by ${source}: ${clv.batch} sequence${clv.batch > 1 ? 's' : ''} × window ${clv.window} steps after ${clv.transient} transient, ` +
      `backward transient ${clv.backwardTransient} · k = ${clv.k} · sampled every ${clv.every} · ${summary.units}`,
    '',
  ];
  const parts = summary.location?.parts ?? [];
  lines.push(`   i       λ_i     stderr   growth std   growth q01..q99 ${parts.map((p) => `|v|² in ${p}`.padStart(12)).join('')}`);
  const shown = clv.k <= 12 ? [...Array(clv.k).keys()] : [...Array(8).keys(), -1, clv.k - 3, clv.k - 2, clv.k - 1];
  for (const i of shown) {
    if (i < 0) {
      lines.push('   …');
      continue;
    }
    const growth = summary.growth[i]!;
    const weights = summary.location?.weights[i] ?? [];
    lines.push(`${String(i + 1).padStart(4)} ${fmt(summary.exponents[i]!)} ${fmt(summary.stderr[i]!)} ${fmt(growth.std)}  ` +
      `${`${q(growth, 0.01).toFixed(3)}..${q(growth, 0.99).toFixed(3)}`.padStart(17)} ${weights.map((w) => w.toFixed(3).padStart(12)).join('')}`);
  }
  lines.push('', `angles in degrees, at ${clv.times.length} samples × ${clv.batch} sequence${clv.batch > 1 ? 's' : ''}`);
  lines.push(`${''.padEnd(ANGLE_LABEL)}${SHOWN.map((p) => `q${String(p * 100).padStart(2, '0')}`.padStart(7)).join('')}`);
  const { subspace, unstable, pairs } = summary.angles;
  lines.push(subspace === null
    ? `unstable | stable–neutral   none: ${unstable === 0 ? 'no exponent is positive' : 'every exponent of the k is positive'}`
    : angleRow(`unstable (${unstable}) | rest`, subspace));
  const pairRows = pairs.length <= 12 ? pairs : [...pairs.slice(0, 8), undefined, ...pairs.slice(-3)];
  for (const pair of pairRows) lines.push(pair === undefined ? '   …' : angleRow(`CLV ${pair.i}, ${pair.j}`, pair.degrees));
  return lines.join('\n');
}

function angleRow(label: string, degrees: Distribution): string {
  return `${label.padEnd(ANGLE_LABEL)}${SHOWN.map((p) => q(degrees, p).toFixed(2).padStart(7)).join('')}`;
}

function q(d: Distribution, p: number): number {
  return d.quantiles.find((entry) => entry.p === p)!.value;
}

function fmt(x: number): string {
  return x.toFixed(5).padStart(10);
}
