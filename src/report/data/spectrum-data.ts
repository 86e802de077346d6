import { readFileSync } from 'node:fs';
import { ReportInputError } from '../errors.js';
import { reviveNumber } from './values.js';

/** The parts of a spectrum result (`SpectrumResult`, `ModelSpectrumResult`) that the reports show. */
export interface SpectrumData {
  exponents: number[];
  std?: number[];
  units: string;
  /** Sequences averaged. */
  batch?: number;
  trace?: { steps: number[]; exponents: number[][] };
  kaplanYorke?: number;
  entropy?: number;
  /** Model and options as recorded, shown as configuration. */
  model?: Record<string, unknown>;
  options?: Record<string, unknown>;
}

/**
 * A spectrum result as parsed JSON (`spectrum --json`, or a record of spectra.jsonl), checked
 * field by field; infinities written as strings ("-Infinity") become numbers again.
 */
export function spectrumFromJson(value: unknown, where: string): SpectrumData {
  if (!isObject(value)) throw new ReportInputError(`${where}: expected a spectrum result (a JSON object), got ${describe(value)}`);
  const exponents = numberArray(value['exponents'], `${where}: 'exponents'`);
  if (exponents.length === 0) throw new ReportInputError(`${where}: 'exponents' is empty`);
  if (typeof value['units'] !== 'string') throw new ReportInputError(`${where}: 'units' must be a string such as "nats/step", got ${describe(value['units'])}`);
  const data: SpectrumData = { exponents, units: value['units'] };
  if (value['std'] !== undefined) {
    data.std = numberArray(value['std'], `${where}: 'std'`);
    if (data.std.length !== exponents.length) throw new ReportInputError(`${where}: 'std' has ${data.std.length} entries, 'exponents' ${exponents.length}`);
  }
  const trace = value['trace'];
  if (trace !== undefined) {
    if (!isObject(trace)) throw new ReportInputError(`${where}: 'trace' must be an object { steps, exponents }`);
    const steps = numberArray(trace['steps'], `${where}: 'trace.steps'`);
    const rows = trace['exponents'];
    if (!Array.isArray(rows) || rows.length !== steps.length) {
      throw new ReportInputError(`${where}: 'trace.exponents' must be an array of ${steps.length} rows (one per trace step)`);
    }
    data.trace = { steps, exponents: rows.map((row, j) => numberArray(row, `${where}: 'trace.exponents[${j}]'`)) };
  }
  const options = value['options'];
  if (isObject(options)) {
    data.options = options;
    if (typeof options['batch'] === 'number') data.batch = options['batch'];
  }
  if (isObject(value['model'])) data.model = value['model'];
  const kaplanYorke = reviveNumber(value['kaplanYorke']);
  if (kaplanYorke !== undefined) data.kaplanYorke = kaplanYorke;
  const entropy = reviveNumber(value['entropy']);
  if (entropy !== undefined) data.entropy = entropy;
  return data;
}

/** A JSON file (a spectrum saved with `spectrum --json > FILE`, a sweep table…); invalid JSON is an input error. */
export function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    if (error instanceof SyntaxError) throw new ReportInputError(`${path}: not valid JSON (${error.message})`);
    throw error;
  }
}

function numberArray(value: unknown, what: string): number[] {
  if (!Array.isArray(value)) throw new ReportInputError(`${what} must be an array of numbers, got ${describe(value)}`);
  return value.map((v, i) => {
    const n = reviveNumber(v);
    if (n === undefined || Number.isNaN(n)) throw new ReportInputError(`${what}[${i}] must be a number, got ${describe(v)}`);
    return n;
  });
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
