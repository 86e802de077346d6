/** Text the sweep CLI prints: progress events and the status table. */
import type { SweepEvent } from './local-pool.js';
import type { IndexedRun, RunStatus } from '../store/run-index.js';

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
  }
}

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

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text;
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
