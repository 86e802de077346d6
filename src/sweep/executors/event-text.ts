/** The line the sweep CLI prints for each progress event of a local pool or Redis worker. */
import type { SweepEvent } from './local-pool.js';
import { firstLine } from '../store/status-text.js';

export function describeEvent(event: SweepEvent): string {
  switch (event.type) {
    case 'start':
      return `run ${event.id}: training (attempt ${event.attempt})`;
    case 'done':
      return `run ${event.id}: ${event.trained ? `done in ${event.seconds.toFixed(1)} s` : 'already complete'}`;
    case 'retry':
      return `run ${event.id}: attempt ${event.attempt} failed, retrying: ${firstLine(event.error)}`;
    case 'failed':
      return `run ${event.id}: failed after ${event.attempts} attempts: ${firstLine(event.error)}`;
    case 'paused':
      return `run ${event.id}: reached epoch ${event.epoch}, waiting to be ranked`;
    case 'pruned':
      return `run ${event.id}: pruned after epoch ${event.epoch}: ${event.reason}`;
    case 'note':
      return event.text;
  }
}
