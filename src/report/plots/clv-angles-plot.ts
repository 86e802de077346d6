import type { TopLevelSpec } from 'vega-lite';
import type { ClvData } from '../data/clv-data.js';
import { PANEL_SPEC } from './theme.js';
import { omittedNote, subtitle } from './labels.js';

/** Pairs drawn at most (the subspace angle and the first pairs): more lines are unreadable. */
const MOST_LINES = 8;

/**
 * Histograms of the angles between covariant Lyapunov vectors, as the fraction of samples per
 * degree against the angle: the unstable/stable subspace angle and the angle of each consecutive
 * pair. Mass near 0° means near-tangencies, where hyperbolicity fails.
 */
export function clvAnglesSpec(data: ClvData, note?: string): TopLevelSpec {
  const shown = data.angles.slice(0, MOST_LINES);
  const values = shown.flatMap(({ label, count, edges, counts }) => counts.map((c, j) => ({
    series: label, degrees: (edges[j]! + edges[j + 1]!) / 2, density: count > 0 ? c / count / (edges[j + 1]! - edges[j]!) : 0,
  })));
  return {
    ...PANEL_SPEC,
    title: {
      text: 'Angles between covariant Lyapunov vectors',
      subtitle: subtitle(note, data.unstable === 0 ? 'no positive exponent: no unstable subspace' : undefined,
        omittedNote(data.angles.length - shown.length, 'pair', `beyond the first ${MOST_LINES} histograms`)) ?? '',
    },
    data: { values },
    mark: { type: 'line', interpolate: 'step', point: { size: 16 } },
    encoding: {
      x: { field: 'degrees', type: 'quantitative', title: 'angle (degrees)', scale: { domain: [0, 90] } },
      y: { field: 'density', type: 'quantitative', title: 'fraction of samples per degree' },
      color: { field: 'series', type: 'nominal', title: null, sort: shown.map((s) => s.label) },
      tooltip: [{ field: 'series' }, { field: 'degrees', format: '.1f' }, { field: 'density', format: '.3g' }],
    },
  } as TopLevelSpec;
}
