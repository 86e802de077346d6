import type { TopLevelSpec } from 'vega-lite';
import { PANEL, SPEC_BASE } from './theme.js';
import { omittedNote, subtitle } from './labels.js';
import type { ReadoutScore, SweepRow } from '../data/sweep-data.js';

export interface ReadoutPlotInput {
  /** Runs with both a final loss and the readout's (cross-validated) prediction of it. */
  rows: readonly SweepRow[];
  /** Name of the predicted metric. Default 'final loss'. */
  target?: string;
  /** The scores of this readout, shown in the subtitle. */
  score?: ReadoutScore;
  title?: string;
}

/** Predicted against actual final loss, with the line y = x a perfect readout would lie on. */
export function readoutSpec(input: ReadoutPlotInput): TopLevelSpec {
  const target = input.target ?? 'final loss';
  const values = input.rows.flatMap((row) =>
    row.finalLoss !== undefined && row.predicted !== undefined && Number.isFinite(row.finalLoss) && Number.isFinite(row.predicted)
      ? [{ actual: row.finalLoss, predicted: row.predicted }]
      : []);
  if (values.length === 0) throw new RangeError('readout plot: no run has both a finite final loss and a prediction');
  const all = values.flatMap((v) => [v.actual, v.predicted]);
  const pad = 0.03 * (Math.max(...all) - Math.min(...all) || 1);
  const domain = [Math.min(...all) - pad, Math.max(...all) + pad];
  const score = input.score;
  const scores = score
    ? [score.r2 !== undefined ? `R² = ${score.r2.toFixed(2)}` : undefined, score.spearman !== undefined ? `ρ = ${score.spearman.toFixed(2)}` : undefined]
        .filter(Boolean).join(', ')
    : undefined;
  const side = Math.min(PANEL.width, PANEL.height + 60);
  return {
    ...SPEC_BASE,
    width: side,
    height: side,
    title: {
      text: input.title ?? `Readout: predicted vs actual ${target}`,
      subtitle: subtitle(
        [score ? `features: ${score.features}` : undefined, scores, `${values.length} runs`].filter(Boolean).join('; '),
        omittedNote(input.rows.length - values.length, 'run', 'without a prediction or loss'),
      ) ?? '',
    },
    encoding: {
      x: { field: 'actual', type: 'quantitative', title: `actual ${target}`, scale: { domain, nice: false } },
      y: { field: 'predicted', type: 'quantitative', title: `predicted ${target}`, scale: { domain, nice: false } },
    },
    layer: [
      {
        data: { values: domain.map((v) => ({ actual: v, predicted: v })) },
        mark: { type: 'line', color: '#999', strokeDash: [4, 4], strokeWidth: 1.5 },
      },
      {
        data: { values },
        mark: { type: 'circle', size: 50, opacity: 0.8, color: '#1f4e79' },
        encoding: { tooltip: [{ field: 'actual', format: '.4g' }, { field: 'predicted', format: '.4g' }] },
      },
    ],
  } as TopLevelSpec;
}
