import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveTrainConfig, validateTrainConfig, type TrainConfig, type TrainConfigInput } from './config.js';
import { train, type TrainHooks, type TrainResult } from './loop.js';
import { CHECKPOINT_FILES, readCheckpointNetwork, RunRecorder } from './run-recorder.js';
import { latestCheckpoint, openRun, readConfig, readMetrics, readRunFile, RUN_FILES } from '../record/index.js';
import { createTask, VOCABULARY_FILE, type TaskDescription } from './tasks/index.js';

export interface RunOptions {
  /** Continue the run in `dir` from its last checkpoint, with the config stored there. */
  resume?: boolean;
  hooks?: Omit<TrainHooks, 'recorder' | 'task'>;
}

export type RunResult = TrainResult & { dir: string } & (
  | {
      alreadyFinished: false;
      /** The task as it describes itself (its chance level included). */
      task: TaskDescription;
    }
  | {
      /** Resuming found the run finished: nothing was trained and no file was touched (not even the lock). */
      alreadyFinished: true;
      task: null;
    }
);

/** Written when the run ends; its presence (with the last epoch checkpointed) marks a finished run. */
export const SUMMARY_FILE = 'summary.json';

/**
 * Trains with a run directory as the record: config.json, metrics.jsonl, spectra.jsonl, a
 * checkpoint per epoch, the task's artifacts and, at the end, summary.json. With `resume`,
 * the stored config is used (`input` may be null) and training continues after the last
 * complete checkpoint; a missing or empty directory starts a new run, and a finished run is
 * left untouched (`alreadyFinished`). A new run's whole config is checked and its task built
 * (data read) before the directory is created, so a bad option or missing data leaves nothing
 * behind. The run's lock is held throughout (a second process gets a RunBusyError).
 */
export async function trainInRunDirectory(dir: string, input: TrainConfigInput | null, options: RunOptions = {}): Promise<RunResult> {
  const warn = (message: string) => options.hooks?.onWarning?.(message);
  const fresh = input === null ? null : validateTrainConfig(input, warn);
  const recorded = existsSync(join(resolve(dir), RUN_FILES.config));
  if (fresh === null && !recorded) readConfig(dir); // nothing to resume: says so, before creating anything
  if (options.resume && recorded) {
    const finished = finishedRun(dir);
    if (finished !== undefined) return finished;
  }
  const freshTask = fresh !== null && !recorded ? createTask(fresh.task) : undefined;
  const run = openRun(dir, { ...(fresh === null ? {} : { config: fresh }), resume: options.resume ?? false });
  let config: TrainConfig;
  let task: ReturnType<typeof createTask>;
  try {
    if (run.isNew && fresh !== null) {
      config = fresh;
      task = freshTask ?? createTask(fresh.task);
    } else {
      config = resolveTrainConfig(run.config as TrainConfigInput, { recorded: true });
      const vocabulary = readRunFile(run.dir, VOCABULARY_FILE);
      task = createTask(config.task, vocabulary === undefined ? {} : { [VOCABULARY_FILE]: vocabulary });
    }
  } catch (error) {
    run.discard(); // a resumed run whose data went missing: its files are left as they were
    throw error;
  }
  try {
    const result = await train(config, { ...options.hooks, recorder: new RunRecorder(run, config.precision), task });
    // From the log, so a resumed run summarises every epoch, not only those of this call.
    const logged = readMetrics(run.dir) as { valLoss?: number }[];
    const best = logged.reduce<{ valLoss?: number } | null>((b, m) => (b === null || (m.valLoss ?? Infinity) < (b.valLoss ?? Infinity) ? m : b), null);
    run.writeFile(SUMMARY_FILE, `${JSON.stringify({
      epochs: config.epochs,
      resumedFrom: result.resumedFrom,
      final: logged[logged.length - 1] ?? null,
      best,
      network: result.network,
    }, null, 2)}\n`);
    return { ...result, dir: run.dir, task: task.describe(), alreadyFinished: false };
  } finally {
    run.close();
  }
}

/**
 * A run whose last epoch is checkpointed and whose summary.json is written, read without
 * writing anything (not even the lock); undefined when the run has epochs left to train.
 */
function finishedRun(dir: string): RunResult | undefined {
  const root = resolve(dir);
  if (!existsSync(join(root, SUMMARY_FILE))) return undefined;
  const config = resolveTrainConfig(readConfig(root) as TrainConfigInput, { recorded: true });
  const last = latestCheckpoint(root);
  const model = last?.files[CHECKPOINT_FILES.model];
  const readout = last?.files[CHECKPOINT_FILES.readout];
  if (last === undefined || last.epoch < config.epochs || model === undefined || readout === undefined) return undefined;
  const params = readCheckpointNetwork(model, readout, config.precision, config.cell);
  return { config, network: params.spec, params, metrics: [], resumedFrom: last.epoch, dir: root, task: null, alreadyFinished: true };
}
