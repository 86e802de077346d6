/** Typed, validating readers of a run's logs: a line that is not what the loop writes is a RunLogError naming file, line and field. */
import { join, resolve } from 'node:path';
import { RunLogError } from './errors.js';
import { readLog, RUN_FILES, type RunLog } from './run-directory.js';
import { EPOCH_METRICS_FIELDS, OPTIONAL_EPOCH_METRICS_FIELDS, fieldProblem, type EpochMetrics, type FieldKind, type SpectrumRecord } from './schema.js';

/** metrics.jsonl's complete lines, each checked against `EpochMetrics`. */
export function readMetrics(dir: string): EpochMetrics[] {
  return readChecked<EpochMetrics>(dir, 'metrics', (record) => fieldsProblem(record, EPOCH_METRICS_FIELDS)
    ?? fieldsProblem(record, Object.fromEntries(Object.entries(OPTIONAL_EPOCH_METRICS_FIELDS).filter(([field]) => field in record))));
}

/** spectra.jsonl's complete lines, each checked against `SpectrumRecord` (the spectrum's own fields are the reports' to check). */
export function readSpectra(dir: string): SpectrumRecord[] {
  return readChecked<SpectrumRecord>(dir, 'spectra', (record) => {
    if (record['scope'] !== 'epoch' && record['scope'] !== 'step') {
      return `field 'scope' is ${JSON.stringify(record['scope'])}, expected 'epoch' or 'step'`;
    }
    const spectrum = record['spectrum'];
    const isSpectrum = spectrum === null || (typeof spectrum === 'object' && Array.isArray((spectrum as { exponents?: unknown }).exponents));
    return fieldsProblem(record, { epoch: 'count', step: 'count', ...('seconds' in record ? { seconds: 'number' as const } : {}) })
      ?? (isSpectrum ? undefined : "field 'spectrum' is neither null nor a spectrum with exponents");
  });
}

/** A log's complete lines as `T`, after `problem` found nothing wrong with each. */
function readChecked<T>(dir: string, log: RunLog, problem: (record: Record<string, unknown>) => string | undefined): T[] {
  const file = join(resolve(dir), RUN_FILES[log]);
  return readLog(dir, log).map((record, i) => {
    const found = problem(record);
    if (found !== undefined) throw new RunLogError(file, i + 1, found);
    return record as T;
  });
}

/** The first field of `record` that does not hold what `fields` says, as a sentence; undefined when all do. */
function fieldsProblem(record: Record<string, unknown>, fields: Readonly<Record<string, FieldKind>>): string | undefined {
  for (const [field, kind] of Object.entries(fields)) {
    const expected = fieldProblem(kind, record[field]);
    if (expected !== undefined) return `field '${field}' is ${JSON.stringify(record[field]) ?? 'missing'}, expected ${expected}`;
  }
  return undefined;
}
