import type { TopLevelSpec } from 'vega-lite';
import { PANEL_SPEC } from './theme.js';
import { omittedNote, subtitle } from './labels.js';

export interface SpectrumPlotInput {
  /** Mean exponent of each index, λ₁ first (−∞ allowed: it is left out with a note). */
  exponents: readonly number[];
  /** Spread over the sequences of each exponent (the band is mean ± std); omitted: no band. */
  std?: readonly number[];
  /** e.g. 'nats/step'. */
  units: string;
  /** Number of sequences averaged, named in the subtitle. */
  batch?: number;
  /** A line naming what was measured, e.g. the model (shown under the title). */
  note?: string;
  title?: string;
}

/** λ_i against its index i: the mean as a line with points and a band of ± one standard deviation over sequences. */
export function spectrumSpec(input: SpectrumPlotInput): TopLevelSpec {
  const { exponents, std } = input;
  if (std && std.length !== exponents.length) {
    throw new RangeError(`spectrum plot: std has ${std.length} entries but there are ${exponents.length} exponents`);
  }
  const values = exponents.flatMap((lambda, i) => {
    if (!Number.isFinite(lambda)) return [];
    const spread = std && Number.isFinite(std[i]!) ? std[i]! : 0;
    return [{ i: i + 1, lambda, lo: lambda - spread, hi: lambda + spread }];
  });
  const k = exponents.length;
  const x = { field: 'i', type: 'quantitative', title: 'index i', scale: { domain: [1, Math.max(k, 2)] }, axis: { tickMinStep: 1, format: 'd' } } as const;
  const band = std ? `band: ± std over ${input.batch ?? 'the'} sequences` : undefined;
  return {
    ...PANEL_SPEC,
    title: {
      text: input.title ?? 'Lyapunov spectrum',
      subtitle: subtitle(
        input.note,
        [`k = ${k}`, band].filter(Boolean).join(', '),
        omittedNote(k - values.length, 'exponent', 'of −∞ (directions the Jacobian annihilates)'),
      ) ?? '',
    },
    data: { values },
    layer: [
      { mark: { type: 'rule', color: '#999', strokeDash: [4, 4] }, data: { values: [{ zero: 0 }] }, encoding: { y: { field: 'zero', type: 'quantitative' } } },
      ...(std ? [{ mark: { type: 'area', color: '#4c78a8', opacity: 0.22 }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } } as const] : []),
      { mark: { type: 'line', color: '#1f4e79' }, encoding: { x, y: { field: 'lambda', type: 'quantitative', title: `λᵢ (${input.units})` } } },
      {
        mark: { type: 'point', filled: true, color: '#1f4e79', size: k > 64 ? 8 : 36 },
        encoding: { x, y: { field: 'lambda', type: 'quantitative' }, tooltip: [{ field: 'i' }, { field: 'lambda', format: '.4g' }] },
      },
    ],
  } as TopLevelSpec;
}
