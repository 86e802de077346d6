/**
 * What the readout needs from a run directory: its per-epoch metrics, its epoch spectra, and
 * named summary metrics (`final_<key>`, `best_<key>`; snake_case keys also match the camelCase
 * keys of metrics.jsonl, so final_val_loss reads valLoss).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateDimension } from '../../cells/model.js';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../train/config.js';
import { decodeJson, readMetrics, readSpectra } from '../../record/index.js';
import { DONE_MARKER, type DoneMarker } from './layout.js';
import { SweepError } from '../errors.js';

export interface RunRecord {
  /** metrics.jsonl records, one per epoch (epoch 0: at initialisation). */
  epochs: Record<string, unknown>[];
  /** Epoch → λ₁…λ_k of the spectrum taken after it (epochs without a usable spectrum are absent). */
  spectra: Map<number, number[]>;
  /** The sweep's done marker, when the run is complete. */
  done: DoneMarker | undefined;
}

export function readRunRecord(dir: string): RunRecord {
  const spectra = new Map<number, number[]>();
  for (const line of readSpectra(dir)) {
    if (line.scope === 'epoch' && line.spectrum !== null) spectra.set(line.epoch, line.spectrum.exponents);
  }
  const marker = join(dir, DONE_MARKER);
  const done = existsSync(marker) ? (JSON.parse(readFileSync(marker, 'utf8')) as DoneMarker) : undefined;
  return { epochs: readMetrics(dir), spectra, done };
}

/** `final_<key>`: the value at the last epoch; `best_<key>`: the smallest over epochs ≥ 1. */
export function summaryMetric(epochs: readonly Record<string, unknown>[], metric: string): number | undefined {
  const match = /^(final|best)_(.+)$/.exec(metric);
  if (match === null) throw new SweepError(`metric '${metric}' must be final_<key> or best_<key>`);
  const key = match[2];
  if (match[1] === 'final') {
    const last = epochs[epochs.length - 1];
    return last === undefined ? undefined : metricValue(last, key);
  }
  const trained = epochs.filter((r) => r.epoch !== 0);
  const values = (trained.length > 0 ? trained : epochs).map((r) => metricValue(r, key)).filter((v): v is number => v !== undefined);
  return values.length === 0 ? undefined : Math.min(...values);
}

/** The value of `key` at `epoch`, or undefined. */
export function metricAt(epochs: readonly Record<string, unknown>[], key: string, epoch: number): number | undefined {
  const record = epochs.find((r) => r.epoch === epoch);
  return record === undefined ? undefined : metricValue(record, key);
}

/** The metrics.jsonl key `final_<key>`/`best_<key>` reads. */
export function metricKey(metric: string): string {
  return metric.replace(/^(final|best)_/, '');
}

function metricValue(record: Record<string, unknown>, key: string): number | undefined {
  const value = record[key] ?? record[key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())];
  return typeof value === 'number' ? value : undefined;
}

/** Dimension of the state whose spectrum the run took, from its config.json (hidden × layers, × 2 for the joint LSTM state). */
export function runStateDimension(dir: string): number {
  const path = join(dir, 'config.json');
  const given = decodeJson(readFileSync(path, 'utf8'), path) as Partial<Pick<TrainConfig, 'cell' | 'hidden' | 'layers' | 'spectrum'>>;
  // A config written before a default was recorded takes the training default.
  const config = { ...DEFAULT_TRAIN_CONFIG, ...given, spectrum: { ...DEFAULT_TRAIN_CONFIG.spectrum, ...given.spectrum } };
  return stateDimension({ cell: config.cell, numLayers: config.layers, hiddenSize: config.hidden }, config.spectrum.lstmState);
}

/** Swept hyperparameters as the readout takes them: numbers and strings, booleans as strings, nulls left out. */
export function plainParams(params: Record<string, unknown>): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'number' || typeof value === 'string') out[key] = value;
    else if (typeof value === 'boolean') out[key] = String(value);
  }
  return out;
}
