/** The status table the sweep CLI prints: counts, then the runs not done. */
import type { IndexedRun, RunStatus } from './run-index.js';

/** Counts, then (with `runs`) one line per run not done: its status, attempts, and last error. */
export function formatStatus(dir: string, counts: Record<RunStatus, number>, runs: IndexedRun[] = []): string {
  const total = counts.done + counts.running + counts.failed + counts.queued;
  const lines = [`${dir}: ${total} runs — done ${counts.done}, running ${counts.running}, failed ${counts.failed}, queued ${counts.queued}`];
  for (const run of runs.filter((r) => r.status !== 'done' && (r.status !== 'queued' || r.attempts > 0))) {
    const where = run.worker ? ` on ${run.worker}` : '';
    const error = run.error ? `: ${firstLine(run.error)}` : '';
    lines.push(`  ${run.id}  ${run.status}${where}, ${run.attempts} attempt${run.attempts === 1 ? '' : 's'}${error}`);
  }
  return lines.join('\n');
}

/** The first non-blank line of an error, at most 200 characters. */
export function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text;
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
