import { PCA } from 'ml-pca';
import type { TopLevelSpec } from 'vega-lite';
import { PANEL_SPEC } from './theme.js';
import { omittedNote, subtitle } from './labels.js';
import type { SweepRow } from '../data/sweep-data.js';

export interface SpectraProjection {
  /** Coordinates on the first two principal components, one per kept run, with its final loss. */
  points: { pc1: number; pc2: number; finalLoss: number; id?: string }[];
  /** Fraction of the variance each of the two components explains. */
  explained: [number, number];
  /** Runs left out: no spectrum, a non-finite exponent or no final loss. */
  omitted: number;
}

/**
 * The runs' spectra projected on their first two principal components (centred, not scaled:
 * every exponent is in the same units). All spectra must have the same length.
 */
export function projectSpectra(rows: readonly SweepRow[]): SpectraProjection {
  const kept = rows.filter((row) => row.spectrum && row.spectrum.every(Number.isFinite) && row.finalLoss !== undefined && Number.isFinite(row.finalLoss));
  if (kept.length < 3) throw new RangeError(`spectra PCA: needs at least 3 runs with a finite spectrum and final loss, got ${kept.length}`);
  const length = kept[0]!.spectrum!.length;
  const uneven = kept.find((row) => row.spectrum!.length !== length);
  if (uneven) {
    throw new RangeError(`spectra PCA: spectra must have one length (resample them first); run ${uneven.id ?? '?'} has ${uneven.spectrum!.length}, another ${length}`);
  }
  if (length < 2) throw new RangeError('spectra PCA: spectra need at least 2 exponents');
  const data = kept.map((row) => [...row.spectrum!]);
  const pca = new PCA(data, { center: true, scale: false });
  const scores = pca.predict(data, { nComponents: 2 }).to2DArray();
  const explained = pca.getExplainedVariance();
  return {
    points: kept.map((row, r) => ({ pc1: scores[r]![0]!, pc2: scores[r]![1] ?? 0, finalLoss: row.finalLoss!, ...(row.id ? { id: row.id } : {}) })),
    explained: [explained[0] ?? 0, explained[1] ?? 0],
    omitted: rows.length - kept.length,
  };
}

/** First two principal components of the spectra, each run coloured by its final loss. */
export function spectraPcaSpec(input: { rows: readonly SweepRow[]; target?: string; title?: string }): TopLevelSpec {
  const { points, explained, omitted } = projectSpectra(input.rows);
  const target = input.target ?? 'final loss';
  const percent = (f: number) => `${(100 * f).toFixed(1)}%`;
  return {
    ...PANEL_SPEC,
    title: {
      text: input.title ?? 'Principal components of the spectra',
      subtitle: subtitle(`${points.length} runs, coloured by ${target}`, omittedNote(omitted, 'run', 'without a finite spectrum or loss')) ?? '',
    },
    data: { values: points },
    mark: { type: 'circle', size: 60, opacity: 0.9 },
    encoding: {
      x: { field: 'pc1', type: 'quantitative', title: `PC 1 (${percent(explained[0])} of variance)`, scale: { zero: false } },
      y: { field: 'pc2', type: 'quantitative', title: `PC 2 (${percent(explained[1])} of variance)`, scale: { zero: false } },
      color: { field: 'finalLoss', type: 'quantitative', title: target, scale: { scheme: 'viridis', reverse: true } },
      tooltip: [{ field: 'pc1', format: '.3g' }, { field: 'pc2', format: '.3g' }, { field: 'finalLoss', title: target, format: '.4g' }],
    },
  } as TopLevelSpec;
}
