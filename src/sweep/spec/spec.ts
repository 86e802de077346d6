/**
 * The sweep specification (YAML or JSON): which training configurations to run, and what the
 * readout should predict. Validated with a JSON schema (ajv); every error names the field.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { EPOCH_METRICS_FIELDS } from '../../record/schema.js';
import { SweepError } from '../errors.js';
import { checkSweepRuns } from './run-config.js';
import { DISTRIBUTIONS, type ParameterSpec, type SweepSpec } from './spec-types.js';

export { DISTRIBUTIONS, type Distribution, type ParameterSpec, type ParameterValue, type ReadoutSpec, type SweepSpec, type SweepSpectrumSchedule } from './spec-types.js';

const scalar = { type: ['string', 'number', 'boolean', 'null'] };

/** The spec's JSON schema; docs/sweep-spec.md documents every key (a test holds them together). */
export const SWEEP_SPEC_SCHEMA = {
  type: 'object',
  required: ['method', 'parameters', 'spectrum', 'readout', 'base'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    method: { enum: ['grid', 'random'] },
    seed: { type: 'integer', minimum: 0 },
    runCap: { type: 'integer', minimum: 1 },
    maxAttempts: { type: 'integer', minimum: 1, maximum: 100 },
    parameters: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          values: { type: 'array', minItems: 1, items: scalar },
          each: { type: 'boolean' },
          min: { type: 'number' },
          max: { type: 'number' },
          distribution: { enum: DISTRIBUTIONS },
          count: { type: 'integer', minimum: 1 },
          format: { type: 'string', pattern: '\\{\\}' },
        },
      },
    },
    spectrum: {
      type: 'object',
      required: ['every'],
      additionalProperties: false,
      properties: {
        every: { type: 'integer', minimum: 1 },
        batch: { type: 'integer', minimum: 1 },
        steps: { type: 'integer', minimum: 1 },
        transient: { type: 'integer', minimum: 0 },
        k: { type: 'integer', minimum: 1 },
        lstmState: { enum: ['joint', 'h'] },
        qrEvery: { anyOf: [{ type: 'integer', minimum: 1 }, { const: 'auto' }] },
      },
    },
    readout: {
      type: 'object',
      required: ['metric', 'epoch'],
      additionalProperties: false,
      properties: {
        metric: { type: 'string', pattern: '^(final|best)_[A-Za-z0-9_]+$' },
        epoch: { type: 'integer', minimum: 0 },
      },
    },
    base: { type: 'object' },
  },
} as const;

const validate = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true, verbose: true }).compile(SWEEP_SPEC_SCHEMA);

export interface ParseOptions {
  /** Gets one line per deprecated key spelling. */
  warn?: (line: string) => void;
  /**
   * Check the structure only, not the readout metric and every run's training config: for the
   * spec stored in an existing sweep directory, whose runs may have trained under earlier checks.
   */
  structureOnly?: boolean;
}

/** Reads and validates a sweep file (.yaml, .yml or .json). */
export function loadSweepSpec(path: string, options: ParseOptions = {}): SweepSpec {
  const text = readFileSync(path, 'utf8');
  let document: unknown;
  try {
    document = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new SweepError(`${path}: not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`);
  }
  return parseSweepSpec(document, path, options);
}

/**
 * Validates a parsed document, fills defaults and checks every run's training config; errors
 * start with `source` and name the field.
 */
export function parseSweepSpec(document: unknown, source = 'sweep spec', options: ParseOptions = {}): SweepSpec {
  const current = renameDeprecated(document, source, options.warn ?? (() => {}));
  if (!validate(current)) throw new SweepError(`${source}: ${describeError(validate.errors![0])}`);
  const spec = structuredClone(current) as unknown as SweepSpec;
  spec.seed ??= 0;
  spec.maxAttempts ??= 3;
  for (const [name, parameter] of Object.entries(spec.parameters)) checkParameter(source, spec.method, name, parameter);
  if (spec.method === 'random' && spec.runCap === undefined) {
    throw new SweepError(`${source}: field 'runCap' is required with method 'random' (the number of runs to sample)`);
  }
  if (options.structureOnly) return spec;
  checkReadoutMetric(source, spec.readout.metric);
  checkSweepRuns(spec, source);
  return spec;
}

/** Spec keys are camelCase, like the training config in `base`; the snake_case spellings of earlier versions still load. */
const DEPRECATED_KEYS: Readonly<Record<string, string>> = { run_cap: 'runCap', max_attempts: 'maxAttempts' };

/** `document` with deprecated top-level keys renamed (one `warn` line each); giving both spellings is an error. */
function renameDeprecated(document: unknown, source: string, warn: (line: string) => void): unknown {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) return document;
  const renamed: Record<string, unknown> = { ...document };
  for (const [old, key] of Object.entries(DEPRECATED_KEYS)) {
    if (!(old in renamed)) continue;
    if (key in renamed) throw new SweepError(`${source}: fields '${old}' and '${key}' are the same setting: keep '${key}'`);
    renamed[key] = renamed[old];
    delete renamed[old];
    warn(`${source}: field '${old}' is deprecated: write '${key}' (spec keys are camelCase, like the training config)`);
  }
  return renamed;
}

/** The metrics.jsonl keys a readout can predict: the numeric ones, in snake_case (the camelCase spelling works too). */
export const READOUT_METRIC_KEYS = Object.entries(EPOCH_METRICS_FIELDS)
  .filter(([, kind]) => kind === 'number' || kind === 'number?')
  .map(([key]) => key);

const snakeCase = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function checkReadoutMetric(source: string, metric: string): void {
  const key = metric.replace(/^(final|best)_/, '');
  if (READOUT_METRIC_KEYS.some((k) => k === key || snakeCase(k) === key)) return;
  throw new SweepError(
    `${source}: field 'readout.metric' is '${metric}': expected final_<key> or best_<key> with <key> one of ` +
      `${READOUT_METRIC_KEYS.map(snakeCase).join(', ')} (e.g. 'final_val_loss')`,
  );
}

function checkParameter(source: string, method: SweepSpec['method'], name: string, p: ParameterSpec): void {
  const field = `parameters.${name}`;
  const fail = (message: string) => {
    throw new SweepError(`${source}: field '${field}' ${message}`);
  };
  if ('each' in p && !('values' in p)) fail(`has 'each' without 'values': only listed values can each get their own draws`);
  if ('each' in p && p.each && method === 'grid') fail(`has 'each', which only a random sweep uses (a grid takes every value already)`);
  const keys = Object.keys(p).filter((k) => k !== 'format' && k !== 'each');
  if ('values' in p) {
    if (keys.length !== 1) fail(`has 'values' and ${keys.filter((k) => k !== 'values').join(', ')}: give either values or a range`);
    return;
  }
  for (const key of ['min', 'max', 'distribution'] as const) {
    if (!(key in p)) fail(`needs 'values', or a range with 'min', 'max' and 'distribution' (missing '${key}')`);
  }
  if (!(p.min < p.max)) fail(`has min ${p.min} ≥ max ${p.max}`);
  if (p.distribution === 'log_uniform' && !(p.min > 0)) fail(`is log_uniform with min ${p.min}: expected min > 0`);
  if (p.distribution === 'int' && !(Number.isInteger(p.min) && Number.isInteger(p.max))) {
    fail(`is an int range with min ${p.min}, max ${p.max}: expected integers`);
  }
  if (method === 'grid' && p.count === undefined) fail(`is a range in a grid sweep: give 'count', the number of grid points`);
  if (method === 'random' && p.count !== undefined) fail(`has 'count', which only a grid uses (random sweeps sample runCap points)`);
}

/** What a pattern means, for the fields that have one. */
const PATTERN_HINTS: Record<string, string> = {
  'readout.metric': "must be final_<key> or best_<key> for a key of metrics.jsonl, e.g. 'final_val_loss'",
  format: "must contain '{}', where the value goes (e.g. 'uniform:{}')",
};

function describeError(error: ErrorObject): string {
  if (error.propertyName !== undefined) {
    return `field 'parameters' has a parameter named ${JSON.stringify(error.propertyName)}: expected a dotted path of identifiers such as 'init.p'`;
  }
  const path = error.instancePath.slice(1).split('/').filter(Boolean).join('.');
  const where = path === '' ? 'the document' : `field '${path}'`;
  const got = error.data === undefined ? '' : ` (got ${JSON.stringify(error.data)})`;
  switch (error.keyword) {
    case 'required':
      return `missing field '${[path, error.params.missingProperty].filter(Boolean).join('.')}'`;
    case 'additionalProperties':
      return `${where} has an unknown field '${error.params.additionalProperty}'`;
    case 'enum':
      return `${where} must be one of ${error.params.allowedValues.join(', ')}${got}`;
    case 'pattern':
      return `${where} ${PATTERN_HINTS[path] ?? PATTERN_HINTS[path.split('.').pop()!] ?? error.message}${got}`;
    default:
      return `${where} ${error.message ?? 'is invalid'}${got}`;
  }
}
