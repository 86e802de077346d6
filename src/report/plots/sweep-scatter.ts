import type { TopLevelSpec } from 'vega-lite';
import { PANEL_SPEC } from './theme.js';
import { omittedNote, subtitle } from './labels.js';
import type { SweepRow } from '../data/sweep-data.js';

export interface FeatureScatterInput {
  rows: readonly SweepRow[];
  /** Spectrum feature on the x axis, e.g. 'lambda1'. */
  feature: string;
  /** Hyperparameter that colours the points, e.g. 'cell' (optional). */
  colorBy?: string;
  /** Titles by name; 'target' names the y axis (default 'final loss'). */
  titles?: Readonly<Record<string, string>>;
  title?: string;
}

/** Final loss of each run against one of its early spectrum features. */
export function featureScatterSpec(input: FeatureScatterInput): TopLevelSpec {
  const titleOf = (name: string) => input.titles?.[name] ?? name;
  const target = input.titles?.['target'] ?? 'final loss';
  const values = input.rows.flatMap((row) => {
    const feature = row.features[input.feature];
    if (feature === undefined || !Number.isFinite(feature) || row.finalLoss === undefined || !Number.isFinite(row.finalLoss)) return [];
    return [{ feature, loss: row.finalLoss, group: input.colorBy ? String(row.params[input.colorBy] ?? '?') : '' }];
  });
  if (values.length === 0) throw new RangeError(`feature scatter: no run has a finite '${input.feature}' and final loss`);
  return {
    ...PANEL_SPEC,
    title: {
      text: input.title ?? `${target} vs early ${titleOf(input.feature)}`,
      subtitle: subtitle(`${values.length} runs`, omittedNote(input.rows.length - values.length, 'run', 'without a finite feature or loss')) ?? '',
    },
    data: { values },
    mark: { type: 'circle', size: 50, opacity: 0.8 },
    encoding: {
      x: { field: 'feature', type: 'quantitative', title: titleOf(input.feature), scale: { zero: false } },
      y: { field: 'loss', type: 'quantitative', title: target, scale: { zero: false } },
      ...(input.colorBy ? { color: { field: 'group', type: 'nominal', title: titleOf(input.colorBy) } } : {}),
      tooltip: [{ field: 'feature', title: titleOf(input.feature), format: '.4g' }, { field: 'loss', title: target, format: '.4g' }],
    },
  } as TopLevelSpec;
}
