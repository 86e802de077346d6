/**
 * Run histories from a results file (experiments/*.results.jsonl): one JSON object per line with
 * the run's `id`, its hyperparameters (`params: {...}`, or as plain fields in the older layout),
 * `stateDimension` (optional; `--cost stateDimension^2` weighs by it), `valLoss` per epoch (index 0 at
 * initialisation; null or "NaN" where it was not finite) and `lambda: { epoch1: [...], ... }`
 * (an exponent of −∞ as null or "-Infinity"). Every run is
 * read as planned for the most epochs any run of the file has (a shorter one stopped on its own).
 *
 * A minimal reader for the replay; the readout's reader of the same files may replace it.
 */
import { readFileSync } from 'node:fs';
import { plainParams } from '../store/readout-data.js';
import { PruneError } from './errors.js';
import { epochCostOf, type CostRule, type RunHistory } from './history.js';

/** Fields that are not hyperparameters (in the older layout, hyperparameters are the other top-level fields). */
const HISTORY_FIELDS = new Set(['id', 'valLoss', 'lambda', 'params', 'stateDimension', 'diverged']);

export function readResultsFile(file: string, cost?: CostRule): RunHistory[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PruneError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const parsed = text.split('\n').flatMap((line, i) => (line.trim() === '' ? [] : [parseLine(file, i + 1, line)]));
  if (parsed.length === 0) throw new PruneError(`${file}: no runs (expected one JSON object per line)`);
  const planned = Math.max(...parsed.map((run) => run.losses.length - 1));
  return parsed.map(({ stateDimension, ...run }) => ({
    ...run, plannedEpochs: planned, epochCost: epochCostOf(cost, { ...run.params, stateDimension }, `${file} run ${run.id}`),
  }));
}

function parseLine(file: string, lineNumber: number, line: string): Omit<RunHistory, 'plannedEpochs' | 'epochCost'> & { stateDimension?: number } {
  const where = `${file} line ${lineNumber}`;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new PruneError(`${where}: not JSON (expected one object per line with id, valLoss and lambda)`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PruneError(`${where}: expected a JSON object`);
  const record = value as Record<string, unknown>;
  if (typeof record.id !== 'string' || record.id === '') throw new PruneError(`${where}: 'id' must be a non-empty string`);
  const losses = record.valLoss;
  if (!Array.isArray(losses) || losses.length < 2 || !losses.every(isNumberOrGap)) {
    throw new PruneError(`${where}: 'valLoss' must be an array of numbers (null or "NaN" where not finite), one per epoch from 0, at least epochs 0 and 1`);
  }
  const spectra = new Map<number, number[]>();
  const lambda = record.lambda ?? {};
  if (typeof lambda !== 'object' || lambda === null || Array.isArray(lambda)) throw new PruneError(`${where}: 'lambda' must be an object { epochN: [λ₁, …] }`);
  for (const [key, exponents] of Object.entries(lambda)) {
    const epoch = /^epoch(\d+)$/.exec(key);
    if (epoch === null) throw new PruneError(`${where}: 'lambda' key '${key}' must be epoch<N>`);
    if (exponents === null) continue; // no spectrum at that epoch
    if (!Array.isArray(exponents) || !exponents.every(isNumberOrGap)) {
      throw new PruneError(`${where}: 'lambda.${key}' must be an array of numbers (null or "-Infinity" for −∞)`);
    }
    spectra.set(Number(epoch[1]), exponents.map((v) => (typeof v === 'number' ? v : v === null ? -Infinity : Number(v))));
  }
  const nested = record.params;
  const params = plainParams(typeof nested === 'object' && nested !== null && !Array.isArray(nested)
    ? (nested as Record<string, unknown>)
    : Object.fromEntries(Object.entries(record).filter(([key]) => !HISTORY_FIELDS.has(key))));
  const stateDimension = typeof record.stateDimension === 'number' ? { stateDimension: record.stateDimension } : {};
  return { id: record.id, params, losses: losses.map((v) => (typeof v === 'number' ? v : NaN)), spectra, ...stateDimension };
}

/** A number, or how JSON writers spell a non-finite one: null, or the string of it (as `--json` writes −∞). */
function isNumberOrGap(value: unknown): value is number | null | string {
  return typeof value === 'number' || value === null || value === 'NaN' || value === 'Infinity' || value === '-Infinity';
}
