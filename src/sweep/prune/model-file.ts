/**
 * Fitted pruning models as a JSON file, written by `prune-replay --save-model` (fitted on every
 * finished run of a sweep) and read by `sweep --prune-model` and `prune-replay --model`:
 *   { "format": "rnn-lyapunov prune models", "version": 1, "source": "…", "models": [PruneModel, …] }
 * one model per signal and epoch.
 */
import { readFileSync } from 'node:fs';
import { PruneError } from './errors.js';
import { featureNames, PRUNE_SIGNALS, type PruneModel } from './predictor.js';

export const MODEL_FORMAT = 'rnn-lyapunov prune models';

export interface PruneModelFile {
  format: typeof MODEL_FORMAT;
  version: 1;
  /** What the models were fitted on (a sweep directory or results file). */
  source: string;
  models: PruneModel[];
}

export function modelFile(source: string, models: PruneModel[]): PruneModelFile {
  return { format: MODEL_FORMAT, version: 1, source, models };
}

export function readModelFile(file: string): PruneModelFile {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const why = error instanceof SyntaxError ? 'not JSON' : ((error as NodeJS.ErrnoException).code ?? (error as Error).message);
    throw new PruneError(`${file}: cannot read a pruning model file (${why}); write one with prune-replay --save-model`);
  }
  const fail = (what: string): never => {
    throw new PruneError(`${file}: ${what} (a pruning model file written by prune-replay --save-model)`);
  };
  const top = value as Partial<PruneModelFile> | null;
  if (typeof top !== 'object' || top === null || top.format !== MODEL_FORMAT) fail(`'format' must be '${MODEL_FORMAT}'`);
  if (top!.version !== 1) fail(`'version' must be 1, got ${JSON.stringify(top!.version)}`);
  if (!Array.isArray(top!.models) || top!.models.length === 0) fail("'models' must be a non-empty array");
  top!.models!.forEach((model, i) => checkModel(model, (what) => fail(`models[${i}].${what}`)));
  return { format: MODEL_FORMAT, version: 1, source: typeof top!.source === 'string' ? top!.source : file, models: top!.models! };
}

function checkModel(model: PruneModel, fail: (what: string) => never): void {
  const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  if (!PRUNE_SIGNALS.includes(model.signal)) fail(`signal must be one of ${PRUNE_SIGNALS.join(', ')}`);
  if (!Number.isInteger(model.epoch) || model.epoch < 1) fail('epoch must be an integer ≥ 1');
  const expected = featureNames(model.signal);
  if (!Array.isArray(model.features) || model.features.join('|') !== expected.join('|')) fail(`features must be ${expected.join(', ')}`);
  if (!finite(model.intercept)) fail('intercept must be a finite number');
  if (!Array.isArray(model.weights) || model.weights.length !== model.features.length || !model.weights.every(finite)) {
    fail(`weights must be ${model.features.length} finite numbers, one per feature`);
  }
}
