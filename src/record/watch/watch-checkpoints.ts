/**
 * `watch`: a training loop of someone else's saves checkpoint files into a directory; each new
 * one, once complete, gets its spectrum recorded in a run directory of ours, as `train` records
 * its own (spectra.jsonl, metrics.jsonl, config.json), so `serve`, `report` and `plot` show it.
 *
 * Complete means: its size and modification time did not change between two looks, and it
 * parses. A file that does not parse is still being written while it is young (modified less
 * than `settleMs` ago), and damaged once it is older: then it is skipped with a warning, and
 * recorded as skipped so that it is not tried again.
 *
 * Killed and restarted, the watch handles every checkpoint exactly once: each handled file is
 * recorded by a checkpoint manifest of the run directory (checkpoints/epoch-NNNN.json, NNNN
 * counting the files handled; its state names the file), written after the file's log lines,
 * and reopening the run cuts the logs back to the last manifest (see run-directory.ts). The run's
 * lock keeps a second watch off the same run directory.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../../errors.js';
import { readModelFile, rnnFileFromTensors, type LoadRnnFileOptions, type RnnFile } from '../../io/index.js';
import type { ModelSpectrumResult } from '../../model-spectrum/index.js';
import { RunBusyError, WatchError } from '../errors.js';
import { encodeJson } from '../jsonl.js';
import { readOwner } from '../run-lock.js';
import { listCheckpoints, openRun, readConfig, RUN_FILES, type RunDirectory } from '../run-directory.js';
import type { EpochMetrics, SpectrumRecord } from '../schema.js';
import { checkpointOrder, checkpointScalars, listCheckpointFiles, numberInName, type CheckpointFile } from './checkpoint-file.js';
import { fileNameMatcher } from './file-pattern.js';

/** The files watched unless a pattern is given: the model formats `readModelFile` reads. */
export const DEFAULT_CHECKPOINT_PATTERN = '*.{safetensors,pt,pth}';

export interface WatchCheckpointsOptions {
  /** The directory the training loop saves its checkpoints in. */
  checkpoints: string;
  /** The run directory the spectra are recorded in: created, or continued when it records this same watch. */
  out: string;
  /** Names of the checkpoint files (see file-pattern.ts). Default `DEFAULT_CHECKPOINT_PATTERN`. */
  pattern?: string;
  /** Handle the checkpoints complete now, then return; otherwise watch until `signal` aborts. */
  once?: boolean;
  /** Time between two looks at the directory. Default 1000 ms. */
  pollMs?: number;
  /** How long after its last change a file that does not parse counts as damaged rather than being written. Default 60 s. */
  settleMs?: number;
  /** How the files' tensors are read as a model (the cell where the file cannot tell, the prefix, the embedding). */
  load?: LoadRnnFileOptions;
  /** The spectrum of a checkpoint's model. */
  spectrum: (rnn: RnnFile, file: CheckpointFile) => Promise<ModelSpectrumResult>;
  /** What the spectra are taken with, stored in config.json: a restart with other settings is refused. */
  settings: Record<string, unknown>;
  /** Stops the watch after the checkpoint being handled (its spectrum is finished and recorded). */
  signal?: AbortSignal;
  onEvent?: (event: WatchEvent) => void;
}

export type WatchEvent =
  | { kind: 'opened'; dir: string; handled: number }
  | { kind: 'recorded'; file: string; epoch: number; spectrum: ModelSpectrumResult }
  | { kind: 'skipped'; file: string; reason: string };

export interface WatchResult {
  dir: string;
  recorded: number;
  skipped: number;
  /** Files not complete yet when a `once` watch ended (or a stopped one): the next watch takes them. */
  pending: string[];
}

/** What the run directory remembers of each file handled (the state of its checkpoint manifest). */
interface HandledFile {
  file: string;
  size: number;
  mtimeMs: number;
  status: 'recorded' | 'skipped';
  epoch?: number;
  reason?: string;
}

/** A stable file read: its model and metadata, or why not (still being written, or not a model we read). */
type Reading =
  | { rnn: RnnFile; metadata: Record<string, unknown> }
  | { unreadable: string }
  | { invalid: string }
  | { changed: true };

export async function watchCheckpoints(options: WatchCheckpointsOptions): Promise<WatchResult> {
  const { once = false, pollMs = 1000, settleMs = 60_000, signal, onEvent = () => {} } = options;
  const dir = resolve(options.checkpoints);
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new WatchError(`${options.checkpoints}: no such directory of checkpoints`);
  const pattern = options.pattern ?? DEFAULT_CHECKPOINT_PATTERN;
  const matches = fileNameMatcher(pattern);
  const run = openWatchRun(options.out, { watch: { checkpoints: dir, pattern }, spectrum: options.settings });
  let failed = true;
  try {
    const handled = new Map(listCheckpoints(run.dir).map((c) => [(c.state as HandledFile).file, c.state as HandledFile]));
    onEvent({ kind: 'opened', dir: run.dir, handled: handled.size });
    const result: WatchResult = { dir: run.dir, recorded: 0, skipped: 0, pending: [] };
    const remember = (entry: HandledFile, step: number) => {
      run.saveCheckpoint({ epoch: handled.size, step, files: {}, state: entry });
      handled.set(entry.file, entry);
    };
    let previous = new Map<string, CheckpointFile>();
    for (let look = 0; ; look++) {
      const files = listCheckpointFiles(dir, matches).filter((f) => !handled.has(f.name)).sort(checkpointOrder);
      result.pending = files.map((f) => f.name);
      for (const file of files) {
        if (signal?.aborted) break;
        const seen = previous.get(file.name);
        const reading = seen?.size === file.size && seen.mtimeMs === file.mtimeMs ? readStableFile(file, options.load) : { changed: true as const };
        if ('changed' in reading || ('unreadable' in reading && Date.now() - file.mtimeMs < settleMs)) break; // later files wait: order is kept
        const entry = { file: file.name, size: file.size, mtimeMs: file.mtimeMs };
        if ('rnn' in reading) {
          const spectrum = await options.spectrum(reading.rnn, file);
          const scalars = checkpointScalars(reading.metadata);
          const epoch = scalars.epoch ?? numberInName(file.name) ?? handled.size;
          const step = scalars.step ?? epoch;
          run.append('spectra', { scope: 'epoch', epoch, step, spectrum, checkpoint: file.name } satisfies SpectrumRecord);
          run.append('metrics', metricsLine(epoch, step, scalars, spectrum));
          remember({ ...entry, status: 'recorded', epoch }, step);
          result.recorded += 1;
          onEvent({ kind: 'recorded', file: file.name, epoch, spectrum });
        } else {
          const reason = 'unreadable' in reading ? reading.unreadable : reading.invalid;
          remember({ ...entry, status: 'skipped', reason }, 0);
          result.skipped += 1;
          onEvent({ kind: 'skipped', file: file.name, reason });
        }
        result.pending.shift();
      }
      previous = new Map(files.map((f) => [f.name, f]));
      if (signal?.aborted || (once && look >= 1)) {
        failed = false;
        return result;
      }
      await sleep(pollMs, undefined, signal ? { signal } : {}).catch(() => {}); // an abort ends the wait early
    }
  } finally {
    // A new run that failed before recording anything (options that do not fit the model) is
    // removed, so that the watch can be started again with other options.
    if (failed && run.isNew && listCheckpoints(run.dir).length === 0) run.discard();
    else run.close();
  }
}

/**
 * The run directory, new or continued. One that records anything but this same watch is refused
 * before it is opened (opening cuts its logs back to their last checkpoint).
 */
function openWatchRun(out: string, config: { watch: object; spectrum: Record<string, unknown> }): RunDirectory {
  if (existsSync(join(out, RUN_FILES.config))) {
    const stored = readConfig(out) as { watch?: unknown; spectrum?: unknown } | null;
    if (stored?.watch === undefined) throw new WatchError(`${out}: a run directory, but not one of watch (its config.json has no 'watch'); choose another --out`);
    const differences = differingKeys({ ...config.watch, ...config.spectrum }, { ...(stored.watch as object), ...(stored.spectrum as object) });
    if (differences.length > 0) {
      throw new WatchError(
        `${out} records a watch with other settings (${differences.join('; ')}): its spectra would not compare; use the same settings, or another --out`,
      );
    }
  }
  try {
    return openRun(out, { config, resume: true });
  } catch (error) {
    if (!(error instanceof RunBusyError)) throw error;
    const holder = readOwner(join(out, RUN_FILES.lock));
    throw new WatchError(`${out}: another process records into it${holder ? ` (pid ${holder.pid} on ${holder.host})` : ''}; stop it first, or choose another --out`);
  }
}

/** 'KEY: stored → given' for each key whose value differs. */
function differingKeys(given: Record<string, unknown>, stored: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(given), ...Object.keys(stored)])];
  const json = (value: unknown) => (value === undefined ? 'unset' : encodeJson(value));
  return keys.filter((key) => json(given[key]) !== json(stored[key])).map((key) => `${key}: ${json(stored[key])} → ${json(given[key])}`);
}

/** A file unchanged since the last look, read; `changed` when it changed while being read. */
function readStableFile(file: CheckpointFile, load: LoadRnnFileOptions = {}): Reading {
  let contents;
  try {
    contents = readModelFile(file.path);
  } catch (error) {
    // Removed since the look (a loop keeping its last few checkpoints): gone, not damaged.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { changed: true };
    return { unreadable: userProblem(error) };
  }
  const now = statSync(file.path, { throwIfNoEntry: false });
  if (now?.size !== file.size || now.mtimeMs !== file.mtimeMs) return { changed: true };
  try {
    return { rnn: rnnFileFromTensors(contents, file.path, load), metadata: contents.metadata };
  } catch (error) {
    return { invalid: userProblem(error) };
  }
}

/** The message of an error a file can cause (a UserError, a file-system error); anything else is a bug and is thrown on. */
function userProblem(error: unknown): string {
  if (error instanceof UserError) return error.message;
  if (error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string') return error.message;
  throw error;
}

/** The metrics line of a checkpoint: what it stores of its training (null where it stores nothing) and its spectrum's summary. */
function metricsLine(epoch: number, step: number, scalars: ReturnType<typeof checkpointScalars>, spectrum: ModelSpectrumResult): EpochMetrics {
  return {
    epoch, step,
    lr: scalars.lr ?? null,
    trainLoss: scalars.trainLoss ?? null,
    gradNorm: null, gradNormMax: null, clippedFraction: null,
    valLoss: scalars.valLoss ?? null,
    valAccuracy: null,
    lambda: spectrum.exponents,
    kaplanYorke: spectrum.kaplanYorke,
    entropy: spectrum.entropy,
    seconds: null,
  };
}
