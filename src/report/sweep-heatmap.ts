import type { TopLevelSpec } from 'vega-lite';
import { PANEL, plotConfig } from './theme.js';
import { omittedNote, subtitle } from './values.js';
import type { SweepRow } from './sweep-data.js';

export interface SweepHeatmapInput {
  rows: readonly SweepRow[];
  /** Hyperparameter on the x axis, e.g. 'initScale'. */
  x: string;
  /** Hyperparameter on the y axis, e.g. 'lr'. */
  y: string;
  /** Spectrum feature coloured, e.g. 'lambda1' or 'kaplanYorke'. */
  feature: string;
  /** Axis and legend titles by name (default: the name itself). */
  titles?: Readonly<Record<string, string>>;
  title?: string;
}

/** Beyond this many distinct values an axis is treated as continuous (a random sweep). */
const MAX_GRID_VALUES = 16;

/**
 * A spectrum feature over two hyperparameters. A grid sweep gives a heatmap (mean over the
 * runs sharing a cell, e.g. seeds); a random sweep gives coloured points on continuous axes.
 * A feature that changes sign is drawn on a diverging scale centred at 0.
 */
export function sweepHeatmapSpec(input: SweepHeatmapInput): TopLevelSpec {
  const titleOf = (name: string) => input.titles?.[name] ?? name;
  const values = input.rows.flatMap((row) => {
    const x = row.params[input.x];
    const y = row.params[input.y];
    const value = row.features[input.feature];
    return typeof x === 'number' && typeof y === 'number' && value !== undefined && Number.isFinite(value) ? [{ x, y, value }] : [];
  });
  if (values.length === 0) {
    throw new RangeError(`sweep heatmap: no run has numeric '${input.x}', '${input.y}' and a finite '${input.feature}'`);
  }
  const lo = Math.min(...values.map((v) => v.value));
  const hi = Math.max(...values.map((v) => v.value));
  const grid = isGrid(values.map((v) => v.x)) && isGrid(values.map((v) => v.y));
  const color = {
    field: 'value', type: 'quantitative', title: titleOf(input.feature),
    scale: lo < 0 && hi > 0 ? { scheme: 'redblue', reverse: true, domainMid: 0 } : { scheme: 'viridis' },
    ...(grid ? { aggregate: 'mean' } : {}),
  } as const;
  const axis = (field: 'x' | 'y', name: string) => {
    const all = values.map((v) => v[field]);
    if (grid) {
      // Ascending to the right and upwards (an ordinal y scale puts its first value at the top).
      const sorted = [...new Set(all)].sort((a, b) => (field === 'x' ? a - b : b - a));
      return { field, type: 'ordinal', title: titleOf(name), scale: { domain: sorted }, axis: { format: '.3~g', labelAngle: 0 } };
    }
    const logScale = Math.min(...all) > 0 && Math.max(...all) / Math.min(...all) >= 20;
    return { field, type: 'quantitative', title: titleOf(name), scale: { type: logScale ? 'log' : 'linear', zero: false } };
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: plotConfig,
    width: grid ? Math.min(PANEL.width, 56 * new Set(values.map((v) => v.x)).size) : PANEL.width,
    height: grid ? Math.min(PANEL.height, 40 * new Set(values.map((v) => v.y)).size) : PANEL.height,
    title: {
      text: input.title ?? `${titleOf(input.feature)} over ${titleOf(input.x)} × ${titleOf(input.y)}`,
      subtitle: subtitle(
        grid ? `mean over the runs of each cell, ${values.length} runs` : `${values.length} runs`,
        omittedNote(input.rows.length - values.length, 'run', 'without the parameters or a finite feature'),
      ) ?? '',
    },
    data: { values },
    mark: grid ? { type: 'rect', stroke: 'white', strokeWidth: 1 } : { type: 'circle', size: 60, opacity: 0.9 },
    encoding: {
      x: axis('x', input.x),
      y: axis('y', input.y),
      color,
      tooltip: [{ field: 'x', title: titleOf(input.x) }, { field: 'y', title: titleOf(input.y) }, { ...color, format: '.4g' }],
    },
  } as TopLevelSpec;
}

function isGrid(values: readonly number[]): boolean {
  return new Set(values).size <= MAX_GRID_VALUES;
}
