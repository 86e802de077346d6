import type { TopLevelSpec } from 'vega-lite';
import { PANEL, SPEC_BASE } from './theme.js';
import { omittedNote, subtitle } from './labels.js';
import type { SweepRow } from '../data/sweep-data.js';

export interface SweepHeatmapInput {
  rows: readonly SweepRow[];
  /** Hyperparameter on the x axis, e.g. 'initScale'. */
  x: string;
  /** Hyperparameter on the y axis, e.g. 'lr'. */
  y: string;
  /** Spectrum feature coloured, e.g. 'lambda1' or 'kaplanYorke'. */
  feature: string;
  /** Whether the runs lie on a grid (a grid sweep): cells; else points. Default: `fillsGrid`. */
  grid?: boolean;
  /** Axis and legend titles by name (default: the name itself). */
  titles?: Readonly<Record<string, string>>;
  title?: string;
}

/**
 * A spectrum feature over two hyperparameters. A grid sweep gives a heatmap (mean over the
 * runs sharing a cell, e.g. seeds); a random sweep gives points coloured by the feature, on log
 * axes for positive values spanning a factor of 4 or more (learning rates, init scales).
 * A feature that changes sign is drawn on a diverging scale centred at 0.
 */
export function sweepHeatmapSpec(input: SweepHeatmapInput): TopLevelSpec {
  const titleOf = (name: string) => input.titles?.[name] ?? name;
  const runs = input.rows.flatMap((row) => {
    const x = row.params[input.x];
    const y = row.params[input.y];
    const value = row.features[input.feature];
    return typeof x === 'number' && typeof y === 'number' && value !== undefined && Number.isFinite(value) ? [{ x, y, value }] : [];
  });
  if (runs.length === 0) {
    throw new RangeError(`sweep heatmap: no run has numeric '${input.x}', '${input.y}' and a finite '${input.feature}'`);
  }
  const grid = input.grid ?? fillsGrid(runs);
  const values = grid ? cellMeans(runs) : runs.map((r) => ({ ...r, runs: 1 }));
  const lo = Math.min(...values.map((v) => v.value));
  const hi = Math.max(...values.map((v) => v.value));
  const diverging = lo < 0 && hi > 0;
  // Cells whose colour is dark get white labels: far from 0 on the diverging scale, the low end of viridis.
  const labelled = values.map((v) => ({
    ...v,
    dark: diverging ? (v.value < 0 ? v.value / lo : v.value / hi) > 0.55 : hi > lo && (v.value - lo) / (hi - lo) < 0.5,
  }));
  const color = {
    field: 'value', type: 'quantitative', title: titleOf(input.feature),
    scale: diverging ? { scheme: 'redblue', reverse: true, domainMid: 0 } : { scheme: 'viridis' },
  } as const;
  const axis = (field: 'x' | 'y', name: string) => {
    const all = values.map((v) => v[field]);
    if (grid) {
      // Ascending to the right and upwards (an ordinal y scale puts its first value at the top).
      const sorted = [...new Set(all)].sort((a, b) => (field === 'x' ? a - b : b - a));
      return { field, type: 'ordinal', title: titleOf(name), scale: { domain: sorted }, axis: { format: '.3~g', labelAngle: 0, grid: false } };
    }
    const logScale = Math.min(...all) > 0 && Math.max(...all) / Math.min(...all) >= 4;
    return { field, type: 'quantitative', title: titleOf(name), scale: logScale ? { type: 'log', nice: false, padding: 14 } : { type: 'linear', zero: false } };
  };
  const tooltip = [{ field: 'x', title: titleOf(input.x) }, { field: 'y', title: titleOf(input.y) }, { field: 'value', title: titleOf(input.feature), format: '.4g' }, { field: 'runs' }];
  return {
    ...SPEC_BASE,
    width: grid ? Math.min(PANEL.width, 80 * new Set(values.map((v) => v.x)).size) : PANEL.width,
    height: grid ? Math.min(PANEL.height, 48 * new Set(values.map((v) => v.y)).size) : PANEL.height,
    title: {
      text: input.title ?? `${titleOf(input.feature)} over ${titleOf(input.x)} × ${titleOf(input.y)}`,
      subtitle: subtitle(
        grid ? `mean over the runs of each cell, ${runs.length} runs` : `${runs.length} runs, one point each (not a grid)`,
        omittedNote(input.rows.length - runs.length, 'run', 'without the parameters or a finite feature'),
      ) ?? '',
    },
    data: { values: labelled },
    encoding: { x: axis('x', input.x), y: axis('y', input.y) },
    layer: grid
      ? [
          { mark: { type: 'rect', stroke: 'white', strokeWidth: 1 }, encoding: { color, tooltip } },
          {
            mark: { type: 'text', fontSize: 12, baseline: 'middle' },
            encoding: {
              text: { field: 'value', type: 'quantitative', format: '.2f' },
              color: { condition: { test: 'datum.dark', value: 'white' }, value: '#111' },
            },
          },
        ]
      : [{ mark: { type: 'circle', size: 60, opacity: 0.9 }, encoding: { color, tooltip } }],
  } as TopLevelSpec;
}

/** One cell per (x, y) grid point: the mean of its runs' values (e.g. over seeds). */
function cellMeans(runs: readonly { x: number; y: number; value: number }[]): { x: number; y: number; value: number; runs: number }[] {
  const cells = new Map<string, { x: number; y: number; sum: number; runs: number }>();
  for (const r of runs) {
    const key = `${r.x}|${r.y}`;
    const cell = cells.get(key) ?? { x: r.x, y: r.y, sum: 0, runs: 0 };
    cell.sum += r.value;
    cell.runs += 1;
    cells.set(key, cell);
  }
  return [...cells.values()].map((c) => ({ x: c.x, y: c.y, value: c.sum / c.runs, runs: c.runs }));
}

/**
 * Whether points lie on a grid: they fill at least half the cells that their distinct x and y
 * values span (a grid with some runs unfinished does; n random points fill about 1/n of n²).
 */
export function fillsGrid(points: readonly { x: unknown; y: unknown }[]): boolean {
  const cells = new Set(points.map((p) => `${String(p.x)}|${String(p.y)}`)).size;
  return new Set(points.map((p) => p.x)).size * new Set(points.map((p) => p.y)).size <= 2 * cells;
}
