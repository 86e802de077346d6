/**
 * Every run's config checked before the sweep starts, by the trainer's own checks
 * (`resolveTrainConfig`, and building the task once per distinct task spec), so that a typo fails
 * at once, naming the spec file and the spec field, instead of failing every run's attempts.
 */
import { DEFAULT_TRAIN_CONFIG, resolveTrainConfig, type TrainConfigInput } from '../../train/config.js';
import { TrainConfigError } from '../../train/errors.js';
import { createTask } from '../../train/tasks/index.js';
import { UserError } from '../../errors.js';
import { canonicalJson } from './canonical-json.js';
import { expandSweep, type ResolvedRun } from './expand.js';
import type { ParameterValue, SweepSpec } from './spec-types.js';
import { SweepError } from '../errors.js';

const TRAIN_OPTIONS = ['task', ...Object.keys(DEFAULT_TRAIN_CONFIG)];

/** Expands `spec` and checks every run; errors start with `source` (the spec file) and name the spec field. */
export function checkSweepRuns(spec: SweepSpec, source: string): void {
  let runs: ResolvedRun[];
  try {
    runs = expandSweep(spec);
  } catch (error) {
    if (error instanceof SweepError) throw new SweepError(`${source}: ${error.message}`);
    throw error;
  }
  const tasksBuilt = new Set<string>();
  for (const run of runs) checkRun(spec, run, source, tasksBuilt);
}

function checkRun(spec: SweepSpec, run: ResolvedRun, source: string, tasksBuilt: Set<string>): void {
  const fail = (field: string, detail: string): never => {
    throw new SweepError(`${source}: field ${specField(field, run.params)}: ${detail}`);
  };
  const unknown = Object.keys(run.config).find((key) => !TRAIN_OPTIONS.includes(key));
  if (unknown !== undefined) fail(unknown, `'${unknown}' is not a training option (known: ${TRAIN_OPTIONS.join(', ')})`);
  try {
    const config = resolveTrainConfig(run.config as unknown as TrainConfigInput);
    const task = canonicalJson(config.task);
    if (!tasksBuilt.has(task)) {
      createTask(config.task);
      tasksBuilt.add(task);
    }
    checkReadoutEpoch(spec.readout.epoch, config.epochs, config.spectrum.every, (field) => specField(field, run.params), source);
  } catch (error) {
    if (error instanceof SweepError || !(error instanceof UserError)) throw error;
    // Task data errors (a missing text file) and range checks made while building the task carry no field: they are the task's.
    fail((error instanceof TrainConfigError ? error.field : undefined) ?? 'task', error.message.replace(/^train config: /, ''));
  }
}

/** The readout's epoch must be trained, and have a spectrum (taken at epoch 0 and every `every` epochs). */
function checkReadoutEpoch(epoch: number, epochs: number, every: number, fieldOf: (field: string) => string, source: string): void {
  const problem = epoch > epochs
    ? `is ${epoch}, beyond the ${epochs} epochs each run trains (${fieldOf('epochs')}): lower it or raise epochs`
    : every === 0
      ? `is ${epoch}, but ${fieldOf('spectrum.every')} is 0, which takes no spectra`
      : epoch % every === 0
        ? undefined
        : `is ${epoch}, but spectra are taken every ${every} epochs (${fieldOf('spectrum.every')}): choose a multiple of ${every}`;
  if (problem !== undefined) throw new SweepError(`${source}: field 'readout.epoch' ${problem}`);
}

/**
 * The spec field that sets the training config field `field`: the swept parameter at or above it
 * (with the value this run gave it), else `spectrum.*` or `base.*`; swept parameters below it
 * (task.seq under task) are listed with this run's values.
 */
function specField(field: string, params: Record<string, ParameterValue>): string {
  const above = Object.keys(params).find((p) => field === p || field.startsWith(`${p}.`));
  if (above !== undefined) return `'parameters.${above}' (${JSON.stringify(params[above])} in one run)`;
  const below = Object.keys(params).filter((p) => p.startsWith(`${field}.`));
  const where = field.startsWith('spectrum.') ? field : `base.${field}`;
  return `'${where}'${below.length === 0 ? '' : ` (with ${below.map((p) => `${p} = ${JSON.stringify(params[p])}`).join(', ')} in one run)`}`;
}
