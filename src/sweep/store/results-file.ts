/**
 * A sweep's results file (`sweep export`): one JSON line per finished run with what the
 * readout and its replays need — the swept hyperparameters, the tracked state's dimension, the
 * validation loss after every epoch (index 0: at initialisation) and the spectrum after every
 * epoch that has one — at 6 significant digits, so a sweep's tables can be redone (`analyze
 * FILE.jsonl`) without its run directories or retraining. Committed results live in
 * experiments/*.results.jsonl.
 */
import { readFileSync } from 'node:fs';
import { decodeJson, encodeJson } from '../../record/index.js';
import type { ReadoutData, ReadoutRow } from '../readout/rows.js';
import { SweepError } from '../errors.js';
import { reconcile } from './reconcile.js';
import { readoutRow } from './readout-data.js';
import { plainParams, readRunRecord, runStateDimension } from './run-record.js';
import { openSweep } from './sweep-dir.js';

export interface ResultLine {
  id: string;
  params: Record<string, number | string>;
  /** Dimension of the state whose spectrum was taken (hidden × layers, × 2 for the joint LSTM state). */
  stateDimension: number;
  /** Validation loss after each epoch; index 0 is at initialisation. */
  valLoss: number[];
  /** 'epoch<E>' → λ₁…λ_k after epoch E. */
  lambda: Record<string, number[]>;
  /** Set when training diverged (its losses are not a final loss to predict). */
  diverged?: true;
}

/** The metrics a results file can answer: the validation loss at the last epoch, or its lowest over epochs ≥ 1. */
export const RESULTS_METRICS = ['final_val_loss', 'best_val_loss'] as const;

/** The results lines of a sweep's finished runs, in the index's order, with the runs left out and why. */
export function sweepResults(dir: string): { lines: ResultLine[]; left: { id: string; reason: string }[] } {
  const sweep = openSweep(dir);
  try {
    reconcile(sweep);
    const lines: ResultLine[] = [];
    const left: { id: string; reason: string }[] = [];
    for (const run of sweep.index.list()) {
      if (run.status !== 'done') {
        left.push({ id: run.id, reason: `status ${run.status}` });
        continue;
      }
      const runDir = sweep.layout.runDir(run.id);
      const record = readRunRecord(runDir);
      const valLoss = record.epochs.map((epoch) => (typeof epoch.valLoss === 'number' ? epoch.valLoss : NaN));
      lines.push({
        id: run.id,
        params: plainParams(run.params),
        stateDimension: runStateDimension(runDir),
        valLoss: valLoss.map(significant),
        lambda: Object.fromEntries([...record.spectra].sort(([a], [b]) => a - b).map(([epoch, exponents]) => [`epoch${epoch}`, exponents.map(significant)])),
        ...(record.done?.diverged !== undefined ? { diverged: true as const } : {}),
      });
    }
    return { lines, left };
  } finally {
    sweep.index.close();
  }
}

/** The lines as the file's text. */
export function formatResults(lines: readonly ResultLine[]): string {
  return lines.map((line) => `${encodeJson(line)}\n`).join('');
}

/** The readout's rows from a results file: the spectrum and loss at `epoch`, and the metric to predict. */
export function loadResultsFile(path: string, epoch: number, metric: string): ReadoutData {
  if (!(RESULTS_METRICS as readonly string[]).includes(metric)) {
    throw new SweepError(`${path}: a results file holds the validation loss only: --metric must be ${RESULTS_METRICS.join(' or ')}, got '${metric}'`);
  }
  const rows: ReadoutRow[] = [];
  const excluded: ReadoutData['excluded'] = [];
  for (const line of readResults(path)) {
    const row = line.valLoss.length < 2
      ? `no finite ${metric}` // never trained past initialisation
      : readoutRow({
        id: line.id, params: line.params, diverged: line.diverged === true,
        epochs: line.valLoss.map((valLoss, e) => ({ epoch: e, valLoss })),
        spectra: lineSpectra(line),
      }, epoch, metric);
    if (typeof row === 'string') excluded.push({ id: line.id, reason: row });
    else rows.push({ ...row, stateDimension: line.stateDimension });
  }
  const name = path.replace(/^.*[\\/]/, '').replace(/\.results\.jsonl$|\.jsonl$/, '');
  return { name, epoch, metric, rows, excluded };
}

/** A line's spectra by epoch ('epoch<E>' keys as numbers). */
export function lineSpectra(line: ResultLine): Map<number, number[]> {
  return new Map(Object.entries(line.lambda).map(([key, exponents]) => [Number(key.slice('epoch'.length)), exponents]));
}

/** Every line of a results file, each checked field by field; errors name the file, the line and the field. */
export function readResults(path: string): ResultLine[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SweepError(`${path}: cannot read the results file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) throw new SweepError(`${path}: the results file has no runs`);
  return lines.map((line, i) => checkLine(decodeResultLine(line, `${path} line ${i + 1}`), `${path} line ${i + 1}`));
}

function decodeResultLine(line: string, where: string): unknown {
  try {
    return decodeJson(line, where);
  } catch (error) {
    throw new SweepError((error as Error).message);
  }
}

function checkLine(value: unknown, where: string): ResultLine {
  const fail = (field: string, expected: string): never => {
    throw new SweepError(`${where}: field '${field}' ${expected}`);
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('(line)', 'must be a JSON object (one run)');
  const line = value as Record<string, unknown>;
  if (typeof line.id !== 'string' || line.id === '') fail('id', 'must be a non-empty string');
  const params = line.params as Record<string, unknown>;
  if (params === null || typeof params !== 'object' || Array.isArray(params)) fail('params', 'must be an object of hyperparameters');
  for (const [key, v] of Object.entries(params)) if (typeof v !== 'number' && typeof v !== 'string') fail(`params.${key}`, 'must be a number or a string');
  if (!Number.isInteger(line.stateDimension) || (line.stateDimension as number) < 1) fail('stateDimension', 'must be a positive integer');
  if (!Array.isArray(line.valLoss) || line.valLoss.some((v) => typeof v !== 'number')) fail('valLoss', 'must be an array of numbers (one per epoch, from epoch 0)');
  const lambda = line.lambda as Record<string, unknown>;
  if (lambda === null || typeof lambda !== 'object' || Array.isArray(lambda)) fail('lambda', "must be an object of 'epoch<E>' → exponents");
  for (const [key, v] of Object.entries(lambda)) {
    if (!/^epoch\d+$/.test(key)) fail(`lambda.${key}`, "is not a key of the form 'epoch<E>'");
    if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'number' || Number.isNaN(x))) fail(`lambda.${key}`, 'must be a non-empty array of exponents');
  }
  if (line.diverged !== undefined && line.diverged !== true) fail('diverged', 'must be true when present');
  return line as unknown as ResultLine;
}

function significant(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(6)) : value;
}
