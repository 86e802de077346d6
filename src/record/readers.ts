/** Typed, validating readers of a run's logs: a line that is not what the loop writes is a RunLogError naming file, line and field. */
import { join, resolve } from 'node:path';
import { RunLogError } from './errors.js';
import { readLog, RUN_FILES } from './run-directory.js';
import { EPOCH_METRICS_FIELDS, fieldProblem, type EpochMetrics, type SpectrumRecord } from './schema.js';

/** metrics.jsonl's complete lines, each checked against `EpochMetrics`. */
export function readMetrics(dir: string): EpochMetrics[] {
  const file = join(resolve(dir), RUN_FILES.metrics);
  return readLog(dir, 'metrics').map((record, i) => {
    for (const [field, kind] of Object.entries(EPOCH_METRICS_FIELDS)) {
      const problem = fieldProblem(kind, record[field]);
      if (problem !== undefined) throw new RunLogError(file, i + 1, `field '${field}' is ${JSON.stringify(record[field]) ?? 'missing'}, expected ${problem}`);
    }
    return record as EpochMetrics;
  });
}

/** spectra.jsonl's complete lines, each checked against `SpectrumRecord` (the spectrum's own fields are the reports' to check). */
export function readSpectra(dir: string): SpectrumRecord[] {
  const file = join(resolve(dir), RUN_FILES.spectra);
  return readLog(dir, 'spectra').map((record, i) => {
    const fail = (detail: string): never => {
      throw new RunLogError(file, i + 1, detail);
    };
    if (record['scope'] !== 'epoch' && record['scope'] !== 'step') fail(`field 'scope' is ${JSON.stringify(record['scope'])}, expected 'epoch' or 'step'`);
    for (const field of ['epoch', 'step']) {
      const problem = fieldProblem('count', record[field]);
      if (problem !== undefined) fail(`field '${field}' is ${JSON.stringify(record[field]) ?? 'missing'}, expected ${problem}`);
    }
    const spectrum = record['spectrum'];
    if (spectrum !== null && (typeof spectrum !== 'object' || !Array.isArray((spectrum as { exponents?: unknown }).exponents))) {
      fail("field 'spectrum' is neither null nor a spectrum with exponents");
    }
    return record as SpectrumRecord;
  });
}
