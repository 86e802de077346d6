/** The replay as the CLI prints it: what was replayed, then one row per strategy. */
import { TOP_RUNS, type ReplayResult } from './replay.js';

export function formatReplay(name: string, result: ReplayResult): string {
  const { plan } = result;
  const lines = [
    `${name}: ${result.runs} runs; successive halving after epoch ${plan.rungs.join(', ')}, keeping ${formatShare(plan.keep)} at each rung`,
    `best final loss of the sweep: ${result.bestLoss.toFixed(4)}${result.bestId === null ? '' : ` (run ${result.bestId})`}`,
    `spectrum models: ${result.protocol}`,
    '',
  ];
  const header = ['strategy', 'compute', 'best final loss', 'rank', 'regret', 'kept best', `top ${TOP_RUNS} kept`, 'completed'];
  const mean = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
  const rows = result.strategies.map((s) => [
    s.seeds === undefined ? s.strategy : `${s.strategy} (mean of ${s.seeds} seeds)`,
    `${(100 * s.computeFraction).toFixed(1)}%`,
    Number.isFinite(s.bestLoss) ? s.bestLoss.toFixed(4) : '–',
    mean(s.rank),
    Number.isFinite(s.regret) ? s.regret.toFixed(4) : '–',
    s.bestId === null ? `${(100 * s.keptBest).toFixed(0)}%` : s.keptBest === 1 ? 'yes' : 'no',
    mean(s.topKept),
    mean(s.completed),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  lines.push(line(header), ...rows.map(line));
  lines.push(
    '',
    "compute: epochs trained (× each run's epoch cost), as a share of the unpruned sweep's",
    "rank: the best run found, among all runs by final loss (1 = the sweep's best); regret: its final loss less the sweep's best",
    `top ${TOP_RUNS} kept: how many of the sweep's ${TOP_RUNS} best runs were trained to the end`,
  );
  for (const note of result.notes) lines.push(`note: ${note}`);
  return lines.join('\n');
}

function formatShare(keep: number): string {
  const third = Math.abs(keep - 1 / 3) < 1e-9 ? '1/3' : Math.abs(keep - 2 / 3) < 1e-9 ? '2/3' : undefined;
  return third ?? `${+(100 * keep).toFixed(1)}%`;
}
