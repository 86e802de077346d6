import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJson, readConfig, RUN_FILES } from '../../record/index.js';
import { UserError } from '../../errors.js';
import { reviveNumber } from './values.js';

/** A run at a glance (the dashboard's index): each field undefined where its file is missing or damaged. */
export interface RunOverview {
  cell: string | undefined;
  hidden: number | undefined;
  /** The latest logged epoch (0 is the evaluation before training) and the epochs configured. */
  epoch: number | undefined;
  epochs: number | undefined;
  valLoss: number | undefined;
  lambda1: number | undefined;
}

/**
 * Reads config.json and the last complete line of metrics.jsonl only (a listing of many long runs
 * must not parse every log whole). A damaged file blanks its own fields and nothing else: the run's
 * page is where the damage is reported.
 */
export function runOverview(dir: string): RunOverview {
  const config = readable(() => readConfig(dir));
  const metricsPath = join(dir, RUN_FILES.metrics);
  const last = readable(() => {
    const line = lastLine(metricsPath);
    return line === undefined ? undefined : decodeJson(line, metricsPath);
  });
  const cell = field(config, 'cell');
  const lambda = field(last, 'lambda');
  return {
    cell: typeof cell === 'string' ? cell : undefined,
    hidden: count(field(config, 'hidden')),
    epoch: count(field(last, 'epoch')),
    epochs: count(field(config, 'epochs')),
    valLoss: reviveNumber(field(last, 'valLoss')),
    lambda1: Array.isArray(lambda) ? reviveNumber(lambda[0]) : undefined,
  };
}

/** `read()`, or undefined when the file is missing, unreadable or not valid JSON; a bug still throws. */
function readable(read: () => unknown): unknown {
  try {
    return read();
  } catch (error) {
    if (error instanceof UserError || (error as NodeJS.ErrnoException).code !== undefined) return undefined;
    throw error;
  }
}

function field(record: unknown, name: string): unknown {
  return record !== null && typeof record === 'object' && !Array.isArray(record) ? (record as Record<string, unknown>)[name] : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** The last newline-terminated line of a file (a torn line after it, from a crash, is not one), read from the end. */
function lastLine(path: string): string | undefined {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const chunk = 64 * 1024;
    let tail = Buffer.alloc(0);
    for (let start = size; start > 0;) {
      const from = Math.max(0, start - chunk);
      const piece = Buffer.alloc(start - from);
      readSync(fd, piece, 0, piece.length, from);
      tail = Buffer.concat([piece, tail]);
      start = from;
      const end = tail.lastIndexOf(0x0a);
      if (end < 0) continue;
      const begin = end === 0 ? -1 : tail.lastIndexOf(0x0a, end - 1);
      if (begin >= 0 || start === 0) return tail.subarray(begin + 1, end).toString('utf8');
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}
