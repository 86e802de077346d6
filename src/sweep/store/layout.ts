/**
 * A sweep directory:
 *   sweep.json          the validated spec and its key (written once; a re-start must match it)
 *   index.sqlite        the query index (rebuildable from the run directories)
 *   runs/<id>/          each run's directory, as `train` writes it, plus sweep-done.json once complete
 *                       (or sweep-pruned.json once successive halving stopped it)
 *   locks/<id>.lock     held while a process trains the run (outside the run directory, which
 *                       train requires to be empty or a run)
 *   logs/<id>.log       the run's console output, appended over attempts
 */
import { join, resolve } from 'node:path';

export const DONE_MARKER = 'sweep-done.json';

/** Written into a run directory when successive halving stops the run (`sweep --prune`); the run is never trained further. */
export const PRUNED_MARKER = 'sweep-pruned.json';

/** What the pruned marker holds. */
export interface PrunedMarker {
  id: string;
  prunedAt: string;
  /** The epoch after which it was ranked and stopped. */
  epoch: number;
  /** Why, in words (the signal, its predicted final loss and rank). */
  reason: string;
}

/** What the done marker holds. */
export interface DoneMarker {
  id: string;
  completedAt: string;
  host: string;
  pid: number;
  /** Set when training stopped because the network diverged. */
  diverged?: string;
}

/** Printed (to the run's log) by a run process when it takes the run's lock and starts training. */
export const ATTEMPT_LINE = 'training started';

/**
 * The lines the parent of a run process (the sweep, or a worker) appends to the run's log. An
 * attempt counts against `maxAttempts` once its parent saw it train or fail; an attempt whose
 * parent was killed never gets its end line and does not count (a killed sweep is not a bad
 * run). Starting the sweep again writes `reset`: the attempts before it no longer count.
 */
export const LOG_LINES = {
  started: '--- attempt started',
  trained: '--- attempt trained',
  failed: '--- attempt failed: ',
  /** Ended without using up an attempt: the run was busy or complete, or the sweep was stopped. */
  uncounted: '--- attempt not counted: ',
  reset: '--- attempts reset: ',
} as const;

export interface SweepLayout {
  root: string;
  specFile: string;
  indexFile: string;
  runsDir: string;
  locksDir: string;
  logsDir: string;
  runDir(id: string): string;
  lockFile(id: string): string;
  logFile(id: string): string;
  doneMarker(id: string): string;
  prunedMarker(id: string): string;
}

export function sweepLayout(dir: string): SweepLayout {
  const root = resolve(dir);
  const runsDir = join(root, 'runs');
  const locksDir = join(root, 'locks');
  const logsDir = join(root, 'logs');
  return {
    root,
    specFile: join(root, 'sweep.json'),
    indexFile: join(root, 'index.sqlite'),
    runsDir,
    locksDir,
    logsDir,
    runDir: (id) => join(runsDir, id),
    lockFile: (id) => join(locksDir, `${id}.lock`),
    logFile: (id) => join(logsDir, `${id}.log`),
    doneMarker: (id) => join(runsDir, id, DONE_MARKER),
    prunedMarker: (id) => join(runsDir, id, PRUNED_MARKER),
  };
}
