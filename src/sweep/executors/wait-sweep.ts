import { reconcile } from '../store/reconcile.js';
import type { StatusCounts } from '../store/run-index.js';
import { openSweep, type OpenSweep } from '../store/sweep-dir.js';

/**
 * Watches a sweep that workers are running until no run is queued or running (or `signal`
 * aborts), calling `onChange` whenever the counts change, and `recheck` (if given) before
 * each look. This is the process that writes the index while workers train. Returns the final
 * counts.
 */
export async function waitForSweep(
  dir: string, onChange: (counts: StatusCounts) => void, signal?: AbortSignal, pollMs = 1000,
  recheck?: (sweep: OpenSweep) => Promise<void>,
): Promise<StatusCounts> {
  const sweep = openSweep(dir);
  try {
    let last = '';
    for (;;) {
      await recheck?.(sweep);
      reconcile(sweep);
      const counts = sweep.index.counts();
      if (JSON.stringify(counts) !== last) {
        last = JSON.stringify(counts);
        onChange(counts);
      }
      if ((counts.queued === 0 && counts.running === 0) || signal?.aborted) return counts;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  } finally {
    sweep.index.close();
  }
}
