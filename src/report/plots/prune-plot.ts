import type { TopLevelSpec } from 'vega-lite';
import { PANEL_SPEC } from './theme.js';
import { omittedNote, subtitle } from './labels.js';

/** One strategy at one keep share: the compute it spent and the best final loss it found. */
export interface PrunePoint {
  strategy: string;
  keep: number;
  computeFraction: number;
  bestLoss: number;
}

export interface PrunePlotInput {
  points: readonly PrunePoint[];
  /** The best final loss of the unpruned sweep (a dashed line). */
  sweepBest: number;
  /** What was replayed, e.g. 'charlm-shakespeare: 120 runs, pruned after epoch 1'. */
  description: string;
  title?: string;
}

/** Best final loss found against compute spent (share of the unpruned sweep), a line per pruning strategy. */
export function pruneSpec(input: PrunePlotInput): TopLevelSpec {
  const values = input.points.filter((p) => Number.isFinite(p.bestLoss) && Number.isFinite(p.computeFraction))
    .map((p) => ({ ...p, compute: 100 * p.computeFraction }));
  if (values.length === 0) throw new RangeError('pruning plot: no strategy found a run with a finite final loss');
  return {
    ...PANEL_SPEC,
    title: {
      text: input.title ?? 'Pruning: best final loss found against compute',
      subtitle: subtitle(input.description, omittedNote(input.points.length - values.length, 'point', 'without a finished run')) ?? '',
    },
    layer: [
      {
        data: { values: [{ best: input.sweepBest }] },
        mark: { type: 'rule', color: '#999', strokeDash: [4, 4], strokeWidth: 1.5 },
        encoding: { y: { field: 'best', type: 'quantitative', title: 'best final loss found' } },
      },
      {
        data: { values },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'compute', type: 'quantitative', title: 'compute spent (% of the unpruned sweep)', scale: { domain: [0, 100] } },
          y: { field: 'bestLoss', type: 'quantitative', title: 'best final loss found', scale: { zero: false } },
          color: { field: 'strategy', type: 'nominal', title: 'pruned on' },
          // Strategies that find the same runs draw on top of each other: dashes and shapes keep each visible.
          strokeDash: { field: 'strategy', type: 'nominal', title: 'pruned on' },
          shape: { field: 'strategy', type: 'nominal', title: 'pruned on' },
          order: { field: 'compute' },
          tooltip: [{ field: 'strategy' }, { field: 'keep', format: '.3f' }, { field: 'compute', format: '.1f' }, { field: 'bestLoss', format: '.4f' }],
        },
      },
    ],
  } as TopLevelSpec;
}
