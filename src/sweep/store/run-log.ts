/**
 * What a run's log (logs/<id>.log) says about its attempts: how many count against
 * `maxAttempts` (see LOG_LINES), and the last failure. The log, not the index, is where
 * attempts are kept, so a rebuilt index counts them the same.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { LOG_LINES, type SweepLayout } from './layout.js';

export interface AttemptHistory {
  /** Attempts since the last reset that trained or failed. */
  counted: number;
  /** The message of the last failed attempt since the last reset. */
  lastError: string | null;
}

export function attemptHistory(layout: SweepLayout, id: string): AttemptHistory {
  const log = layout.logFile(id);
  const lines = existsSync(log) ? readFileSync(log, 'utf8').split('\n') : [];
  let counted = 0;
  let lastError: string | null = null;
  for (const line of lines) {
    if (line.startsWith(LOG_LINES.reset)) {
      counted = 0;
      lastError = null;
    } else if (line.startsWith(LOG_LINES.trained)) counted++;
    else if (line.startsWith(LOG_LINES.failed)) {
      counted++;
      lastError = line.slice(LOG_LINES.failed.length);
    }
  }
  return { counted, lastError };
}

/** Gives the run a fresh set of attempts: the ones logged so far no longer count. */
export function resetAttempts(layout: SweepLayout, id: string, why: string): void {
  mkdirSync(layout.logsDir, { recursive: true });
  appendFileSync(layout.logFile(id), `${LOG_LINES.reset}${why} ${new Date().toISOString()}\n`);
}
