import { existsSync, statSync } from 'node:fs';
import { ReportInputError } from '../errors.js';
import { describe, isObject } from './spectrum-data.js';
import { readJsonFile } from './json-file.js';
import type { ReadoutScore, SweepData, SweepRow } from './sweep-data.js';
import { reviveNumber } from './values.js';
import { isSweepDirectory, sweepDataFromDirectory } from './sweep-dir-data.js';

/** A sweep directory (sweep.json and its index), or a sweep table as `SweepData` JSON checked field by field. */
export function readSweepData(path: string): SweepData {
  if (!existsSync(path)) throw new ReportInputError(`${path}: no such file or directory`);
  if (statSync(path).isDirectory()) {
    if (isSweepDirectory(path)) return sweepDataFromDirectory(path);
    throw new ReportInputError(`${path}: neither a run directory (config.json) nor a sweep directory (sweep.json)`);
  }
  return sweepFromJson(readJsonFile(path), path);
}

export function sweepFromJson(value: unknown, where: string): SweepData {
  if (!isObject(value)) throw new ReportInputError(`${where}: expected a sweep table { name, rows }, got ${describe(value)}`);
  if (!Array.isArray(value['rows'])) throw new ReportInputError(`${where}: 'rows' must be an array of runs, got ${describe(value['rows'])}`);
  const sweep: SweepData = {
    name: typeof value['name'] === 'string' ? value['name'] : 'sweep',
    rows: value['rows'].map((row, i) => sweepRow(row, `${where}: rows[${i}]`)),
  };
  if (value['config'] !== undefined) sweep.config = value['config'];
  if (value['method'] === 'grid' || value['method'] === 'random') sweep.method = value['method'];
  else if (value['method'] !== undefined) throw new ReportInputError(`${where}: 'method' must be 'grid' or 'random', got ${describe(value['method'])}`);
  if (typeof value['target'] === 'string') sweep.target = value['target'];
  if (typeof value['featureEpoch'] === 'number') sweep.featureEpoch = value['featureEpoch'];
  if (typeof value['predictedFrom'] === 'string') sweep.predictedFrom = value['predictedFrom'];
  if (value['readout'] !== undefined) {
    if (!Array.isArray(value['readout'])) throw new ReportInputError(`${where}: 'readout' must be an array of scores`);
    sweep.readout = value['readout'].map((r, i) => readoutScore(r, `${where}: readout[${i}]`));
  }
  return sweep;
}

function sweepRow(value: unknown, where: string): SweepRow {
  if (!isObject(value)) throw new ReportInputError(`${where} must be an object, got ${describe(value)}`);
  const params = value['params'] ?? {};
  if (!isObject(params) || !Object.values(params).every((v) => typeof v === 'number' || typeof v === 'string')) {
    throw new ReportInputError(`${where}.params must map names to numbers or strings, got ${describe(params)}`);
  }
  const row: SweepRow = { params: params as Record<string, number | string>, features: numberRecord(value['features'] ?? {}, `${where}.features`) };
  if (typeof value['id'] === 'string') row.id = value['id'];
  if (typeof value['status'] === 'string') row.status = value['status'];
  const finalLoss = optionalNumber(value['finalLoss'], `${where}.finalLoss`);
  if (finalLoss !== undefined) row.finalLoss = finalLoss;
  const predicted = optionalNumber(value['predicted'], `${where}.predicted`);
  if (predicted !== undefined) row.predicted = predicted;
  if (value['spectrum'] !== undefined && value['spectrum'] !== null) {
    if (!Array.isArray(value['spectrum'])) throw new ReportInputError(`${where}.spectrum must be an array of numbers`);
    row.spectrum = value['spectrum'].map((v, i) => optionalNumber(v, `${where}.spectrum[${i}]`) ?? NaN);
  }
  return row;
}

function readoutScore(value: unknown, where: string): ReadoutScore {
  if (!isObject(value) || typeof value['features'] !== 'string') throw new ReportInputError(`${where} must be an object with a string 'features'`);
  const score: ReadoutScore = { features: value['features'] };
  for (const key of ['r2', 'spearman', 'auc'] as const) {
    const n = optionalNumber(value[key], `${where}.${key}`);
    if (n !== undefined) score[key] = n;
  }
  return score;
}

function numberRecord(value: unknown, where: string): Record<string, number> {
  if (!isObject(value)) throw new ReportInputError(`${where} must map names to numbers, got ${describe(value)}`);
  const out: Record<string, number> = {};
  for (const [key, v] of Object.entries(value)) {
    const n = optionalNumber(v, `${where}.${key}`);
    if (n !== undefined) out[key] = n;
  }
  return out;
}

/** A number (or "-Infinity"-style string); null and absent are undefined; anything else is an error. */
function optionalNumber(value: unknown, where: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = reviveNumber(value);
  if (n === undefined) throw new ReportInputError(`${where} must be a number, got ${describe(value)}`);
  return n;
}
