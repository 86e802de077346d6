/**
 * Training tasks, and `createTask` to rebuild one from the `spec` saved in a run's config.json
 * (plus the files its `artifacts()` saved, e.g. the char-LM vocabulary).
 */
import { addingTask } from './adding.js';
import { charLmSource, charLmTask, VOCABULARY_FILE } from './charlm.js';
import { copyTask } from './copy.js';
import { lorenzTask } from './lorenz.js';
import { smnistSource, smnistTask } from './smnist.js';
import { TASK_NAMES, type Task, type TaskName, type TaskSpecJson } from './task.js';
import { Vocabulary } from './vocabulary.js';
import { xorTask } from './xor.js';
import { TrainConfigError } from '../errors.js';

export * from './task.js';
export { addingTask, type AddingOptions } from './adding.js';
export { charLmSource, charLmTask, VOCABULARY_FILE, type CharLmOptions, type CharLmSplits, type CharLmTask } from './charlm.js';
export { copyTask, type CopyOptions } from './copy.js';
export { lorenzSeries, lorenzTask, type LorenzOptions, type LorenzSeries, type LorenzTask } from './lorenz.js';
export { MNIST_FILES, mnistDataDir, readMnist, smnistSource, smnistTask, type MnistImages, type SmnistOptions } from './smnist.js';
export { readIdxSlice, type IdxSlice } from './idx.js';
export { decodeText, readText, shakespearePaths, SHAKESPEARE_PLAYS } from './text-corpus.js';
export { UNKNOWN_CHARACTER, Vocabulary, type VocabularyJson } from './vocabulary.js';
export { xorTask, type XorOptions } from './xor.js';

export type TaskOptionKind = 'integer' | 'number' | 'string' | 'strings';

/**
 * Options each task accepts in a spec, and their JSON types (null means "default"). One naming
 * scheme: camelCase, and the number of examples of a split is its `…Size` in every task.
 */
export const TASK_OPTIONS: Readonly<Record<TaskName, Readonly<Record<string, TaskOptionKind>>>> = {
  charlm: { text: 'strings', seq: 'integer', maxChars: 'integer' },
  smnist: { dataDir: 'string', trainSize: 'integer', validationSize: 'integer', testSize: 'integer' },
  copy: { symbols: 'integer', length: 'integer', delay: 'integer', trainSize: 'integer', evalSize: 'integer', seed: 'integer' },
  adding: { length: 'integer', trainSize: 'integer', evalSize: 'integer', seed: 'integer' },
  xor: { delay: 'integer', trainSize: 'integer', evalSize: 'integer', seed: 'integer' },
  lorenz: { dt: 'number', seq: 'integer', trainSize: 'integer', evalSize: 'integer', noise: 'number', warmup: 'integer', seed: 'integer' },
};

/** Old spellings (old → current), still read, since stored run configs hold them; a new config gets a deprecation line. */
export const DEPRECATED_TASK_OPTIONS: Readonly<Partial<Record<TaskName, Readonly<Record<string, string>>>>> = {
  smnist: { trainCount: 'trainSize', validationCount: 'validationSize', testCount: 'testSize' },
};

function fits(kind: TaskOptionKind, value: unknown): boolean {
  if (kind === 'integer') return Number.isInteger(value);
  if (kind === 'number') return typeof value === 'number' && Number.isFinite(value);
  if (kind === 'string') return typeof value === 'string';
  return typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
}

/** The known option `key` was probably meant as (same letters ignoring case, '-' and '_'), or undefined. */
function meant(key: string, known: readonly string[]): string | undefined {
  const plain = (k: string) => k.toLowerCase().replace(/[-_]/g, '');
  return known.find((k) => plain(k) === plain(key));
}

/**
 * `spec` with its options checked by name and JSON type and written in the current spelling
 * (nulls dropped: null means the default), or a TrainConfigError naming the bad option.
 * `warn` hears one line per old spelling met.
 */
export function resolveTaskSpec(spec: unknown, warn: (message: string) => void = () => {}): TaskSpecJson {
  const s = spec as Record<string, unknown> | null;
  const name = s?.name as TaskName;
  if (s === null || typeof s !== 'object' || !TASK_NAMES.includes(name)) {
    throw new TrainConfigError(`task spec: field 'name' is ${JSON.stringify(s?.name)}, expected one of ${TASK_NAMES.join(', ')}`, 'task.name');
  }
  const allowed = TASK_OPTIONS[name];
  const renamed = DEPRECATED_TASK_OPTIONS[name] ?? {};
  const resolved: TaskSpecJson = { name };
  for (const [given, value] of Object.entries(s)) {
    if (given === 'name' || value === null || value === undefined) continue;
    const key = renamed[given] ?? given;
    const kind = allowed[key];
    if (kind === undefined) {
      const guess = meant(given, Object.keys(allowed));
      throw new TrainConfigError(
        `task spec for '${name}': unknown option '${given}'${guess === undefined ? '' : ` (did you mean '${guess}'?)`} (known: ${Object.keys(allowed).join(', ')})`,
        `task.${given}`,
      );
    }
    if (!fits(kind, value)) throw new TrainConfigError(`task spec for '${name}': option '${given}' is ${JSON.stringify(value)}, expected ${kind}`, `task.${given}`);
    if (key !== given) {
      if (s[key] !== undefined && s[key] !== null) throw new TrainConfigError(`task spec for '${name}': '${given}' and '${key}' are the same option; give only '${key}'`, `task.${given}`);
      warn(`task option '${given}' of ${name} is now spelled '${key}'; the old spelling still works but is deprecated`);
    }
    resolved[key] = value;
  }
  return resolved;
}

/**
 * `spec` resolved (see `resolveTaskSpec`) and its options checked as the task will check them,
 * without building it: numbers in range, text and MNIST files present and readable. What only
 * the data can tell (a text too short for `seq`) is left to building the task.
 */
export function checkTaskSpec(spec: unknown, warn?: (message: string) => void): TaskSpecJson {
  const resolved = resolveTaskSpec(spec, warn);
  const { name, ...options } = resolved;
  if (name === 'charlm') charLmSource(options);
  else if (name === 'smnist') smnistSource(options);
  else createTask(resolved); // a synthetic task is built without data, so building it is the check
  return resolved;
}

/**
 * The task a spec describes (`task.describe().spec`, or options written by hand with a `name`);
 * `artifacts` are the files saved from `task.artifacts()`, by name, undefined where absent (the
 * char-LM vocabulary is reused when present, so a trained model keeps its symbol indices).
 */
export function createTask(spec: unknown, artifacts: Readonly<Record<string, string | undefined>> = {}): Task {
  const { name, ...options } = resolveTaskSpec(spec) as TaskSpecJson & Record<string, any>;
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
    case 'lorenz':
      return lorenzTask(options);
  }
}
