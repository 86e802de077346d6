import type { TopLevelSpec } from 'vega-lite';
import { PANEL_SPEC } from './theme.js';
import { lambdaLabel, lambdaLegend, omittedNote, subtitle } from './labels.js';

/** The finite-time exponents as `spectrum --ftle-window` records them (`FiniteTimeExponents`). */
export interface FtlePlotInput {
  window: number;
  count: number;
  mean: readonly number[];
  /** Per exponent: bin edges and counts. */
  histogram: readonly { edges: readonly number[]; counts: readonly number[] }[];
  /** Windows with an exponent of −∞, per exponent (not in the histogram). */
  infinite?: readonly number[];
  units: string;
  /** How many of the leading exponents to draw. Default 5. */
  top?: number;
  title?: string;
}

/**
 * The distribution of the finite-time exponents over windows of W steps, one histogram per
 * leading exponent (the fraction of windows per bin, overlaid), and each one's mean — the
 * asymptotic exponent — as a rule: how far, and how often, the local growth strays from it.
 */
export function ftleSpec(input: FtlePlotInput): TopLevelSpec {
  const k = input.mean.length;
  const top = Math.min(input.top ?? 5, k);
  if (input.histogram.length !== k) throw new RangeError(`ftle plot: ${input.histogram.length} histograms for ${k} exponents`);
  const bars: { index: number; exponent: string; lo: number; hi: number; fraction: number }[] = [];
  const means: { index: number; exponent: string; mean: number }[] = [];
  let infinite = 0;
  for (let i = 0; i < top; i++) {
    const { edges, counts } = input.histogram[i]!;
    const exponent = lambdaLabel(i + 1);
    counts.forEach((count, j) => bars.push({ index: i + 1, exponent, lo: edges[j]!, hi: edges[j + 1]!, fraction: count / input.count }));
    if (Number.isFinite(input.mean[i]!)) means.push({ index: i + 1, exponent, mean: input.mean[i]! });
    infinite += input.infinite?.[i] ?? 0;
  }
  const order = lambdaLegend(bars);
  const color = { field: 'exponent', type: 'nominal', title: 'exponent', sort: order, scale: { domain: order } } as const;
  return {
    ...PANEL_SPEC,
    title: {
      text: input.title ?? 'Finite-time exponents',
      subtitle: subtitle(
        `over windows of ${input.window} steps, ${input.count} windows; the top ${top} of k = ${k}; rules: the means (the spectrum)`,
        omittedNote(infinite, 'window value', 'of −∞'),
      ) ?? '',
    },
    layer: [
      {
        data: { values: bars },
        mark: { type: 'rect', opacity: 0.55 },
        encoding: {
          x: { field: 'lo', type: 'quantitative', title: `finite-time exponent (${input.units})`, scale: { zero: false } },
          x2: { field: 'hi' },
          y: { field: 'fraction', type: 'quantitative', title: 'fraction of windows' },
          y2: { datum: 0 },
          color,
          tooltip: [{ field: 'exponent' }, { field: 'lo', format: '.4g' }, { field: 'hi', format: '.4g' }, { field: 'fraction', format: '.3f' }],
        },
      },
      {
        data: { values: means },
        mark: { type: 'rule', strokeDash: [4, 3] },
        encoding: { x: { field: 'mean', type: 'quantitative' }, color, tooltip: [{ field: 'exponent' }, { field: 'mean', format: '.5g' }] },
      },
    ],
  } as TopLevelSpec;
}
