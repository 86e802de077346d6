import type { TopLevelSpec } from 'vega-lite';
import { PANEL_SPEC } from './theme.js';
import { lambdaLabel, lambdaLegend, omittedNote, subtitle } from './labels.js';

export interface ConvergencePlotInput {
  /** The spectrum's trace: running means exponents[j][i] after steps[j] averaged steps. */
  trace: { steps: readonly number[]; exponents: readonly (readonly number[])[] };
  units: string;
  /** How many of the leading exponents to draw. Default 5. */
  top?: number;
  title?: string;
}

/** Running mean of the top exponents against the number of averaged steps (log axis): has the estimate settled? */
export function convergenceSpec(input: ConvergencePlotInput): TopLevelSpec {
  const { steps, exponents } = input.trace;
  if (steps.length !== exponents.length) {
    throw new RangeError(`convergence plot: trace has ${steps.length} steps but ${exponents.length} rows of exponents`);
  }
  if (steps.length === 0) throw new RangeError('convergence plot: the trace is empty');
  const k = exponents[0]!.length;
  const top = Math.min(input.top ?? 5, k);
  if (!(top >= 1)) throw new RangeError(`convergence plot: top must be ≥ 1, got ${input.top}`);
  const values: { step: number; index: number; exponent: string; value: number }[] = [];
  let omitted = 0;
  steps.forEach((step, j) => {
    for (let i = 0; i < top; i++) {
      const value = exponents[j]![i]!;
      if (Number.isFinite(value)) values.push({ step, index: i + 1, exponent: lambdaLabel(i + 1), value });
      else omitted++;
    }
  });
  const order = lambdaLegend(values);
  return {
    ...PANEL_SPEC,
    title: {
      text: input.title ?? 'Convergence of the leading exponents',
      subtitle: subtitle(
        `running mean of the top ${top} of k = ${k}`,
        omittedNote(omitted, 'value', 'of −∞'),
      ) ?? '',
    },
    data: { values },
    mark: { type: 'line', interpolate: 'monotone' },
    encoding: {
      x: { field: 'step', type: 'quantitative', scale: { type: 'log', nice: false }, title: 'averaged steps' },
      y: { field: 'value', type: 'quantitative', title: `running mean of λᵢ (${input.units})`, scale: { zero: false } },
      color: { field: 'exponent', type: 'nominal', title: 'exponent', sort: order, scale: { domain: order } },
      tooltip: [{ field: 'exponent' }, { field: 'step' }, { field: 'value', format: '.4g' }],
    },
  } as TopLevelSpec;
}
