import type { TopLevelSpec } from 'vega-lite';
import { PANEL, SPEC_BASE } from './theme.js';
import { lambdaLabel, lambdaLegend, omittedNote, subtitle } from './labels.js';

/** One logged epoch of a training run, as the plots need it. */
export interface TrainingPoint {
  epoch: number;
  /** Loss curves by name, e.g. { train: 2.1, validation: 2.3 } (absent or non-finite: a gap). */
  losses: Readonly<Record<string, number>>;
  /** λ₁…λ_k at this epoch (empty when no spectrum was taken). */
  exponents: readonly number[];
  /** The gradient-flossing loss Σ(λ_i − target)² of this epoch's flossing updates, when there were some. */
  flossLoss?: number;
}

export interface TrainingPlotInput {
  points: readonly TrainingPoint[];
  /** Units of the exponents, e.g. 'nats/step'. */
  units: string;
  /** Units of the loss, e.g. 'nats/char'. Default 'loss'. */
  lossUnits?: string;
  /** How many of the leading exponents to draw. Default: all, up to 10. */
  top?: number;
  title?: string;
}

/**
 * Two panels sharing the epoch axis: the loss curves above, λ₁…λ_k below; a third with the
 * flossing loss for a run with gradient flossing (its own units, so not among the loss curves).
 */
export function trainingSpec(input: TrainingPlotInput): TopLevelSpec {
  const { points } = input;
  if (points.length === 0) throw new RangeError('training plot: no logged epochs');
  const k = Math.max(...points.map((p) => p.exponents.length));
  const top = Math.min(input.top ?? 10, k);
  const losses: { epoch: number; curve: string; loss: number }[] = [];
  const spectra: { epoch: number; index: number; exponent: string; value: number }[] = [];
  let omitted = 0;
  for (const p of points) {
    for (const [curve, loss] of Object.entries(p.losses)) if (Number.isFinite(loss)) losses.push({ epoch: p.epoch, curve, loss });
    for (let i = 0; i < Math.min(top, p.exponents.length); i++) {
      const value = p.exponents[i]!;
      if (Number.isFinite(value)) spectra.push({ epoch: p.epoch, index: i + 1, exponent: lambdaLabel(i + 1), value });
      else omitted++;
    }
  }
  const order = lambdaLegend(spectra);
  const flossing = points.flatMap((p) => (p.flossLoss !== undefined && Number.isFinite(p.flossLoss) ? [{ epoch: p.epoch, flossLoss: p.flossLoss }] : []));
  const epochs = points.map((p) => p.epoch);
  const x = {
    field: 'epoch', type: 'quantitative', title: 'epoch',
    scale: { domain: [Math.min(...epochs), Math.max(Math.max(...epochs), Math.min(...epochs) + 1)] },
    axis: { tickMinStep: 1, format: 'd' },
  } as const;
  const height = Math.round(PANEL.height * 0.75);
  return {
    ...SPEC_BASE,
    title: {
      text: input.title ?? 'Loss and Lyapunov spectrum during training',
      subtitle: subtitle(
        k > top ? `top ${top} of k = ${k} exponents` : undefined,
        omittedNote(omitted, 'exponent', 'of −∞'),
      ) ?? '',
    },
    vconcat: [
      {
        width: PANEL.width, height, data: { values: losses },
        mark: { type: 'line', point: true },
        encoding: {
          x: { ...x, title: null },
          y: { field: 'loss', type: 'quantitative', title: input.lossUnits ? `loss (${input.lossUnits})` : 'loss', scale: { zero: false } },
          color: { field: 'curve', type: 'nominal', title: 'loss', scale: { scheme: 'dark2' } },
          tooltip: [{ field: 'curve' }, { field: 'epoch' }, { field: 'loss', format: '.4g' }],
        },
      },
      {
        width: PANEL.width, height, data: { values: spectra },
        layer: [
          { mark: { type: 'rule', color: '#999', strokeDash: [4, 4] }, data: { values: [{ zero: 0 }] }, encoding: { y: { field: 'zero', type: 'quantitative' } } },
          {
            mark: { type: 'line', point: true },
            encoding: {
              x: flossing.length === 0 ? x : { ...x, title: null },
              y: { field: 'value', type: 'quantitative', title: `λᵢ (${input.units})` },
              color: { field: 'exponent', type: 'nominal', title: 'exponent', sort: order, scale: { domain: order } },
              tooltip: [{ field: 'exponent' }, { field: 'epoch' }, { field: 'value', format: '.4g' }],
            },
          },
        ],
      },
      ...(flossing.length === 0 ? [] : [{
        width: PANEL.width, height, data: { values: flossing },
        mark: { type: 'line', point: { color: '#7570b3' }, color: '#7570b3' },
        encoding: {
          x,
          y: { field: 'flossLoss', type: 'quantitative', title: 'flossing loss Σ(λᵢ − target)²', scale: { zero: false } },
          tooltip: [{ field: 'epoch' }, { field: 'flossLoss', title: 'flossing loss', format: '.4g' }],
        },
      }]),
    ],
    resolve: { scale: { x: 'shared', color: 'independent' }, legend: { color: 'independent' } },
  } as TopLevelSpec;
}
