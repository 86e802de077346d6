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
  // Each histogram as a step outline: up from 0 at the first edge, each bin's fraction from its
  // left edge, down to 0 at the last edge (overlaid bars would hide one another).
  const steps: { index: number; exponent: string; value: number; fraction: number; at: number }[] = [];
  const means: { index: number; exponent: string; mean: number }[] = [];
  let infinite = 0;
  for (let i = 0; i < top; i++) {
    const { edges, counts } = input.histogram[i]!;
    const exponent = lambdaLabel(i + 1);
    if (counts.length > 0) {
      const point = (value: number, fraction: number) => steps.push({ index: i + 1, exponent, value, fraction, at: steps.length });
      point(edges[0]!, 0);
      counts.forEach((count, j) => point(edges[j]!, count / input.count));
      point(edges.at(-1)!, counts.at(-1)! / input.count);
      point(edges.at(-1)!, 0);
    }
    if (Number.isFinite(input.mean[i]!)) means.push({ index: i + 1, exponent, mean: input.mean[i]! });
    infinite += input.infinite?.[i] ?? 0;
  }
  const order = lambdaLegend(steps);
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
        data: { values: steps },
        mark: { type: 'area', interpolate: 'step-after', fillOpacity: 0.12, line: true },
        encoding: {
          x: { field: 'value', type: 'quantitative', title: `finite-time exponent (${input.units})`, scale: { zero: false } },
          y: { field: 'fraction', type: 'quantitative', title: 'fraction of windows', stack: null },
          color,
          // The points keep their order: the outline of one histogram, left to right.
          order: { field: 'at', type: 'quantitative' },
          tooltip: [{ field: 'exponent' }, { field: 'value', format: '.4g' }, { field: 'fraction', format: '.3f' }],
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
