/**
 * Training tasks, and `createTask` to rebuild one from the `spec` saved in a run's config.json
 * (plus the files its `artifacts()` saved, e.g. the char-LM vocabulary).
 */
import { addingTask } from './adding.js';
import { charLmTask, VOCABULARY_FILE } from './charlm.js';
import { copyTask } from './copy.js';
import { smnistTask } from './smnist.js';
import { TASK_NAMES, type Task, type TaskName } from './task.js';
import { Vocabulary } from './vocabulary.js';
import { xorTask } from './xor.js';
import { TrainConfigError } from '../errors.js';

export * from './task.js';
export { addingTask, type AddingOptions } from './adding.js';
export { charLmTask, VOCABULARY_FILE, type CharLmOptions, type CharLmSplits, type CharLmTask } from './charlm.js';
export { copyTask, type CopyOptions } from './copy.js';
export { MNIST_FILES, mnistDataDir, readMnist, smnistTask, type MnistImages, type SmnistOptions } from './smnist.js';
export { readIdxSlice, type IdxSlice } from './idx.js';
export { decodeText, readText, shakespearePaths, SHAKESPEARE_PLAYS } from './text-corpus.js';
export { UNKNOWN_CHARACTER, Vocabulary, type VocabularyJson } from './vocabulary.js';
export { xorTask, type XorOptions } from './xor.js';

type OptionKind = 'integer' | 'string' | 'strings';

/** Options each task accepts in a spec, and their JSON types (null means "default"). */
const SPEC_OPTIONS: Readonly<Record<TaskName, Readonly<Record<string, OptionKind>>>> = {
  charlm: { text: 'strings', seq: 'integer', maxChars: 'integer' },
  smnist: { dataDir: 'string', trainCount: 'integer', validationCount: 'integer', testCount: 'integer' },
  copy: { symbols: 'integer', length: 'integer', delay: 'integer', trainSize: 'integer', evalSize: 'integer', seed: 'integer' },
  adding: { length: 'integer', trainSize: 'integer', evalSize: 'integer', seed: 'integer' },
  xor: { delay: 'integer', trainSize: 'integer', evalSize: 'integer', seed: 'integer' },
};

function fits(kind: OptionKind, value: unknown): boolean {
  if (kind === 'integer') return Number.isInteger(value);
  if (kind === 'string') return typeof value === 'string';
  return typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
}

/** Checked options of `spec` (nulls dropped), or a TrainConfigError naming the bad field. */
function specOptions(spec: unknown): [TaskName, Record<string, any>] {
  const s = spec as Record<string, unknown> | null;
  const name = s?.name as TaskName;
  if (s === null || typeof s !== 'object' || !TASK_NAMES.includes(name)) {
    throw new TrainConfigError(`task spec: field 'name' is ${JSON.stringify(s?.name)}, expected one of ${TASK_NAMES.join(', ')}`);
  }
  const allowed = SPEC_OPTIONS[name];
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(s)) {
    if (key === 'name' || value === null || value === undefined) continue;
    const kind = allowed[key];
    if (kind === undefined) {
      throw new TrainConfigError(`task spec for '${name}': unknown option '${key}' (known: ${Object.keys(allowed).join(', ')})`);
    }
    if (!fits(kind, value)) throw new TrainConfigError(`task spec for '${name}': option '${key}' is ${JSON.stringify(value)}, expected ${kind}`);
    options[key] = value;
  }
  return [name, options];
}

/**
 * The task a spec describes (`task.describe().spec`, or options written by hand with a `name`);
 * `artifacts` are the files saved from `task.artifacts()`, by name, undefined where absent (the
 * char-LM vocabulary is reused when present, so a trained model keeps its symbol indices).
 */
export function createTask(spec: unknown, artifacts: Readonly<Record<string, string | undefined>> = {}): Task {
  const [name, options] = specOptions(spec);
  switch (name) {
    case 'charlm': {
      const saved = artifacts[VOCABULARY_FILE];
      const vocabulary = saved === undefined ? undefined : Vocabulary.fromJSON(JSON.parse(saved), VOCABULARY_FILE);
      return charLmTask({ ...options, vocabulary });
    }
    case 'smnist':
      return smnistTask(options);
    case 'copy':
      return copyTask(options);
    case 'adding':
      return addingTask(options);
    case 'xor':
      return xorTask(options);
  }
}
