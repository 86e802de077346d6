import type { TopLevelSpec } from 'vega-lite';
import type { SweepData, SweepRow } from './sweep-data.js';
import { sweepHeatmapSpec } from './sweep-heatmap.js';
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

/** Heatmaps of λ₁ and the Kaplan–Yorke dimension, loss vs λ₁, the readout and the spectra's PCA. */
export function sweepViews(sweep: SweepData): SweepView[] {
  const rows = sweep.rows;
  const target = sweep.target ?? 'final loss';
  const at = sweep.featureEpoch !== undefined ? ` at epoch ${sweep.featureEpoch}` : '';
  const titles = { ...TITLES, target };
  const views: SweepView[] = [];
  const axes = heatmapAxes(rows);
  for (const feature of ['lambda1', 'kaplanYorke']) {
    const title = `${TITLES[feature]}${at} over the hyperparameter grid`;
    views.push(axes
      ? attempt(title, () => sweepHeatmapSpec({ rows, x: axes[0], y: axes[1], feature, titles, title }))
      : { title, missing: 'the sweep does not vary two numeric hyperparameters' });
  }
  views.push(attempt(`${target} vs λ₁${at}`, () => featureScatterSpec({ rows, feature: 'lambda1', titles, title: `${target} vs λ₁${at}`, ...colorParam(rows) })));
  const best = sweep.readout?.[0];
  views.push(attempt('Readout', () => readoutSpec({ rows, target, ...(best ? { score: best } : {}) })));
  views.push(attempt('Principal components of the spectra', () => spectraPcaSpec({ rows, target })));
  return views;
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
