import type { FiniteTimeExponents } from '../../lyapunov/index.js';
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
  /** The finite-time exponents (`spectrum --ftle-window`), when recorded. */
  finiteTime?: FiniteTimeData;
  /** Model and options as recorded, shown as configuration. */
  model?: Record<string, unknown>;
  options?: Record<string, unknown>;
}

/** The finite-time exponents' distribution as `spectrum --json` writes it, the fields the reports read. */
export type FiniteTimeData = Omit<FiniteTimeExponents, 'windowsPerSequence'>;

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
  if (value['finiteTime'] !== undefined) data.finiteTime = finiteTimeFromJson(value['finiteTime'], exponents.length, `${where}: 'finiteTime'`);
  if (isObject(value['model'])) data.model = value['model'];
  const kaplanYorke = reviveNumber(value['kaplanYorke']);
  if (kaplanYorke !== undefined) data.kaplanYorke = kaplanYorke;
  const entropy = reviveNumber(value['entropy']);
  if (entropy !== undefined) data.entropy = entropy;
  return data;
}

function finiteTimeFromJson(value: unknown, k: number, where: string): FiniteTimeData {
  if (!isObject(value)) throw new ReportInputError(`${where} must be an object { window, count, mean, std, levels, quantiles, histogram }, got ${describe(value)}`);
  const count = (name: string): number => {
    const n = value[name];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new ReportInputError(`${where}.${name} must be an integer ≥ 1, got ${describe(n)}`);
    return n;
  };
  const perExponent = <T>(name: string, read: (item: unknown, what: string) => T): T[] => {
    const items = value[name];
    if (!Array.isArray(items) || items.length !== k) throw new ReportInputError(`${where}.${name} must have one entry per exponent (${k}), got ${describe(items)}`);
    return items.map((item, i) => read(item, `${where}.${name}[${i}]`));
  };
  const number = (item: unknown, what: string) => numberArray([item], what)[0]!;
  return {
    window: count('window'),
    count: count('count'),
    mean: perExponent('mean', number),
    std: perExponent('std', number),
    levels: numberArray(value['levels'], `${where}.levels`),
    quantiles: perExponent('quantiles', (item, what) => numberArray(item, what)),
    histogram: perExponent('histogram', (item, what) => {
      if (!isObject(item)) throw new ReportInputError(`${what} must be an object { edges, counts }`);
      const edges = numberArray(item['edges'], `${what}.edges`);
      const counts = numberArray(item['counts'], `${what}.counts`);
      if (counts.length > 0 && edges.length !== counts.length + 1) throw new ReportInputError(`${what}: ${edges.length} edges for ${counts.length} bins (expected bins + 1)`);
      return { edges, counts };
    }),
    infinite: value['infinite'] === undefined ? new Array<number>(k).fill(0) : perExponent('infinite', number),
  };
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
