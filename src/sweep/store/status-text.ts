/** The status the sweep CLI prints: progress and counts, the runs not done, and a table of every run. */
import { existsSync } from 'node:fs';
import { readMetrics, type EpochMetrics } from '../../record/index.js';
import { DEFAULT_TRAIN_CONFIG } from '../../train/config.js';
import { UserError } from '../../errors.js';
import type { IndexedRun, StatusCounts } from './run-index.js';

/** Progress ("7/12 runs done") and counts, then (with `runs`) one line per run not done: its status, attempts, and last error. */
export function formatStatus(dir: string, counts: StatusCounts, runs: IndexedRun[] = []): string {
  const total = counts.done + counts.running + counts.failed + counts.queued + (counts.pruned ?? 0);
  const pruned = counts.pruned ? `, pruned ${counts.pruned}` : '';
  const lines = [`${dir}: ${counts.done}/${total} runs done — running ${counts.running}, failed ${counts.failed}, queued ${counts.queued}${pruned}`];
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

/** Rows shown by `formatRunTable`; the rest are counted (`sweep status --json` lists every run). */
export const RUN_TABLE_ROWS = 500;

/**
 * One row per run: its swept parameters, status, the epoch it reached, and its latest validation
 * loss and λ₁ (nats/step), read from the run directory's metrics.jsonl (`runDir` maps an id to it).
 */
export function formatRunTable(runs: readonly IndexedRun[], runDir: (id: string) => string): string {
  const names = [...new Set(runs.flatMap((run) => Object.keys(run.params)))];
  const header = ['run', ...names, 'status', 'epoch', 'val loss', 'λ₁'];
  const rows = runs.slice(0, RUN_TABLE_ROWS).map((run) => {
    const latest = latestMetrics(runDir(run.id));
    const lambda1 = latest.lambda?.[0];
    return [
      run.id,
      ...names.map((name) => formatValue(run.params[name])),
      run.status === 'done' || run.attempts === 0 ? run.status : `${run.status} (attempt ${run.attempts})`,
      latest.unreadable ? 'unreadable metrics.jsonl' : latest.epoch === undefined ? '–' : `${latest.epoch}/${(run.config.epochs as number | undefined) ?? DEFAULT_TRAIN_CONFIG.epochs}`,
      latest.valLoss === undefined ? '–' : Number.isFinite(latest.valLoss) ? latest.valLoss.toFixed(4) : 'diverged',
      lambda1 === undefined || !Number.isFinite(lambda1) ? '–' : lambda1.toFixed(4),
    ];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  const out = [line(header), ...rows.map(line)];
  if (runs.length > RUN_TABLE_ROWS) out.push(`… and ${runs.length - RUN_TABLE_ROWS} more runs (sweep status --json lists every run)`);
  return out.join('\n');
}

/** The last epoch's validation loss, and the last λ₁ taken; nothing for a run not started. */
function latestMetrics(dir: string): { epoch?: number; valLoss?: number; lambda?: number[]; unreadable?: true } {
  if (!existsSync(dir)) return {};
  let metrics: EpochMetrics[];
  try {
    metrics = readMetrics(dir);
  } catch (error) {
    if (error instanceof UserError) return { unreadable: true };
    throw error;
  }
  const last = metrics[metrics.length - 1];
  const lambda = [...metrics].reverse().find((m) => m.lambda !== null && m.lambda.length > 0)?.lambda ?? undefined;
  return last === undefined ? {} : { epoch: last.epoch, ...(last.valLoss === null ? {} : { valLoss: last.valLoss }), ...(lambda ? { lambda } : {}) };
}

/** A parameter value in a table cell: numbers to 3 significant digits, integers whole. */
function formatValue(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : Number(value.toPrecision(3)).toString();
  return value === undefined ? '–' : String(value);
}
