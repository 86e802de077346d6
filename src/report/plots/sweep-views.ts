import type { TopLevelSpec } from 'vega-lite';
import type { SweepData, SweepRow } from '../data/sweep-data.js';
import { fillsGrid, sweepHeatmapSpec } from './sweep-heatmap.js';
import { featureScatterSpec } from './sweep-scatter.js';
import { readoutSpec } from './readout-plot.js';
import { spectraPcaSpec } from './spectra-pca.js';

/** A sweep plot, or why it cannot be drawn from the data at hand. */
export type SweepView = { title: string; spec: TopLevelSpec } | { title: string; missing: string };

const TITLES: Readonly<Record<string, string>> = {
  lambda1: 'λ₁ (nats/step)', kaplanYorke: 'Kaplan–Yorke dimension', entropy: 'entropy rate (nats/step)',
  mean: 'mean exponent (nats/step)', slope: 'spectrum slope', countAbove: 'exponents above threshold',
  initScale: 'init scale p', lr: 'learning rate',
};

/**
 * The two hyperparameters of the heatmap: the init scale across and the learning rate up when
 * the sweep varies them (by name), else the first two numeric parameters that vary (not seeds).
 */
export function heatmapAxes(rows: readonly SweepRow[]): [string, string] | undefined {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.params)))].filter((name) => {
    const values = rows.map((r) => r.params[name]);
    return !/seed/i.test(name) && values.every((v) => typeof v === 'number') && new Set(values).size > 1;
  });
  const x = names.find((n) => /init|scale|(^|\.)p$/i.test(n)) ?? names[0];
  const y = names.find((n) => n !== x && /(^|\.)lr$|learning/i.test(n)) ?? names.find((n) => n !== x);
  return x !== undefined && y !== undefined ? [x, y] : undefined;
}

export const SWEEP_PLOT_KINDS = ['heatmap', 'loss-vs-feature', 'readout', 'pca'] as const;
export type SweepPlotKind = (typeof SWEEP_PLOT_KINDS)[number];

/**
 * One sweep plot: a feature over the hyperparameter grid, final loss vs a feature, the
 * readout's predictions, or the spectra's principal components. RangeError when the sweep
 * holds nothing to draw (no finished run, no prediction, no two varied parameters…).
 */
export function sweepPlotSpec(kind: SweepPlotKind, sweep: SweepData, feature = 'lambda1'): TopLevelSpec {
  const rows = sweep.rows;
  const target = sweep.target ?? 'final loss';
  const at = sweep.featureEpoch !== undefined ? ` at epoch ${sweep.featureEpoch}` : '';
  const titles: Readonly<Record<string, string>> = { ...TITLES, target };
  const featureTitle = TITLES[feature] ?? feature;
  switch (kind) {
    case 'heatmap': {
      const axes = heatmapAxes(rows);
      if (!axes) throw new RangeError('sweep heatmap: the sweep does not vary two numeric hyperparameters');
      const grid = isGridSweep(sweep, axes);
      const over = grid ? 'the hyperparameter grid' : `${titles[axes[0]] ?? axes[0]} × ${titles[axes[1]] ?? axes[1]}`;
      return sweepHeatmapSpec({ rows, x: axes[0], y: axes[1], feature, grid, titles, title: `${featureTitle}${at} over ${over}` });
    }
    case 'loss-vs-feature':
      return featureScatterSpec({ rows, feature, titles, title: `${target} vs ${featureTitle}${at}`, ...colorParam(rows) });
    case 'readout': {
      const from = sweep.predictedFrom ?? 'spectrum';
      const score = sweep.readout?.find((r) => r.features === from);
      return readoutSpec({ rows, target, ...(score ? { score } : {}), title: `Readout from ${from}: predicted vs actual ${target}` });
    }
    case 'pca':
      return spectraPcaSpec({ rows, target });
  }
}

/**
 * Whether the sweep's runs lie on a grid of the two axes: its method, when known (a random sweep
 * is never a grid, however few its runs), else whether its runs fill the grid.
 */
function isGridSweep(sweep: SweepData, [x, y]: [string, string]): boolean {
  return sweep.method !== undefined ? sweep.method === 'grid' : fillsGrid(sweep.rows.map((r) => ({ x: r.params[x], y: r.params[y] })));
}

/** λ₁ and the Kaplan–Yorke dimension over the hyperparameters (a heatmap, or points for a random sweep), loss vs λ₁, the readout and the spectra's PCA. */
export function sweepViews(sweep: SweepData): SweepView[] {
  const axes = heatmapAxes(sweep.rows);
  const over = axes === undefined || isGridSweep(sweep, axes) ? 'over the hyperparameter grid' : 'over the sampled hyperparameters';
  const views: [string, SweepPlotKind, string?][] = [
    [`λ₁ ${over}`, 'heatmap', 'lambda1'],
    [`Kaplan–Yorke dimension ${over}`, 'heatmap', 'kaplanYorke'],
    ['Final loss vs λ₁', 'loss-vs-feature', 'lambda1'],
    ['Readout', 'readout'],
    ['Principal components of the spectra', 'pca'],
  ];
  return views.map(([title, kind, feature]) => attempt(title, () => sweepPlotSpec(kind, sweep, feature)));
}

/** Colour the scatter by a non-numeric parameter (e.g. the cell) when the sweep varies one. */
function colorParam(rows: readonly SweepRow[]): { colorBy?: string } {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.params)))];
  const name = names.find((n) => rows.every((r) => typeof r.params[n] !== 'number') && new Set(rows.map((r) => r.params[n])).size > 1);
  return name ? { colorBy: name } : {};
}

function attempt(title: string, build: () => TopLevelSpec): SweepView {
  try {
    return { title, spec: build() };
  } catch (error) {
    // The plot functions throw RangeError when the rows hold nothing they can draw.
    if (error instanceof RangeError) return { title, missing: error.message };
    throw error;
  }
}
