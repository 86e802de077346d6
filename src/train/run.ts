import { resolveTrainConfig, type TrainConfig, type TrainConfigInput } from './config.js';
import { train, type TrainHooks, type TrainResult } from './loop.js';
import { RunRecorder } from './run-recorder.js';
import { openRun, readMetrics, readRunFile } from '../record/index.js';
import { createTask, VOCABULARY_FILE } from './tasks/index.js';

export interface RunOptions {
  /** Continue the run in `dir` from its last checkpoint, with the config stored there. */
  resume?: boolean;
  hooks?: Omit<TrainHooks, 'recorder' | 'task'>;
}

export interface RunResult extends TrainResult {
  dir: string;
}

/**
 * Trains with a run directory as the record: config.json, metrics.jsonl, spectra.jsonl, a
 * checkpoint per epoch, the task's artifacts and, at the end, summary.json. With `resume`,
 * the stored config is used (`input` may be null) and training continues after the last
 * complete checkpoint; a missing or empty directory starts a new run. The run's lock is held
 * throughout (a second process on the same directory gets a RunBusyError); a start that fails
 * before training (a bad task option, a missing data file) removes what it wrote.
 */
export async function trainInRunDirectory(dir: string, input: TrainConfigInput | null, options: RunOptions = {}): Promise<RunResult> {
  const fresh = input === null ? null : resolveTrainConfig(input);
  const run = openRun(dir, { ...(fresh === null ? {} : { config: fresh }), resume: options.resume ?? false });
  let config: TrainConfig;
  let task: ReturnType<typeof createTask>;
  try {
    config = run.resumedFrom === undefined && fresh !== null ? fresh : resolveTrainConfig(run.config as TrainConfigInput);
    const vocabulary = readRunFile(run.dir, VOCABULARY_FILE);
    task = createTask(config.task, vocabulary === undefined ? {} : { [VOCABULARY_FILE]: vocabulary });
  } catch (error) {
    run.discard(); // a start that fails (bad task option, unreadable data) leaves nothing behind
    throw error;
  }
  try {
    const result = await train(config, { ...options.hooks, recorder: new RunRecorder(run, config.precision), task });
    // From the log, so a resumed run summarises every epoch, not only those of this call.
    const logged = readMetrics(run.dir) as { valLoss?: number }[];
    const best = logged.reduce<{ valLoss?: number } | null>((b, m) => (b === null || (m.valLoss ?? Infinity) < (b.valLoss ?? Infinity) ? m : b), null);
    run.writeFile('summary.json', `${JSON.stringify({
      epochs: config.epochs,
      resumedFrom: result.resumedFrom,
      final: logged[logged.length - 1] ?? null,
      best,
      network: result.network,
    }, null, 2)}\n`);
    return { ...result, dir: run.dir };
  } finally {
    run.close();
  }
}
