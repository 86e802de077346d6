/**
 * The record of a training run, a directory:
 *   config.json                   what was run (written once, when the run starts)
 *   metrics.jsonl                 one JSON object per logged step or epoch
 *   spectra.jsonl                 full spectra with their step / epoch
 *   checkpoints/epoch-NNNN.SUFFIX files of the checkpoint after epoch NNNN (model, optimizer…)
 *   checkpoints/epoch-NNNN.json   its manifest: epoch, step, resume state, the number of lines
 *                                 of each log that belong to it, file sizes
 *   any other file stored with `writeFile` (vocabulary.json, summary.json…).
 * Every file is replaced atomically; log lines are appended whole. A checkpoint's manifest is
 * written last, after its files and the logs are on disk, so a checkpoint exists only once it
 * is complete. Resuming a killed run goes back to its last complete checkpoint and cuts each
 * log to the lines recorded with it: epochs redone after the checkpoint are logged once.
 * A directory that holds anything is never overwritten.
 * While a process has the run open it holds train.lock in the directory (see run-lock.ts): a
 * second process opening the same run gets a RunBusyError naming the holder; `close` releases
 * it. A start that fails before training (`discard`) leaves nothing behind.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { errorOfPath, isTemporaryName, syncDirectory, syncFile, writeFileAtomic, type FileContent } from '../io/atomic-write.js';
import { hostname } from 'node:os';
import { RunBusyError, RunDirError } from './errors.js';
import { holdLock, type HeldLock } from './run-lock.js';
import { decodeJson, encodeJson, jsonLine, readJsonl, truncateJsonl } from './jsonl.js';

export type RunLog = 'metrics' | 'spectra';
export const RUN_LOGS: readonly RunLog[] = ['metrics', 'spectra'];

export const RUN_FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  spectra: 'spectra.jsonl',
  checkpoints: 'checkpoints',
  lock: 'train.lock',
} as const;

export interface CheckpointInput {
  /** Epochs completed (0: before training). One checkpoint per epoch; saving it again replaces it. */
  epoch: number;
  /** Optimizer steps completed. */
  step: number;
  /**
   * The checkpoint's files by suffix: `{ safetensors: bytes, 'optimizer.safetensors': bytes }`
   * becomes epoch-NNNN.safetensors and epoch-NNNN.optimizer.safetensors.
   */
  files: Readonly<Record<string, FileContent>>;
  /** Whatever JSON the trainer needs to continue (optimizer scalars, RNG seeds, schedule…). */
  state?: unknown;
}

export interface Checkpoint {
  readonly epoch: number;
  readonly step: number;
  /** ISO 8601 time of saving. */
  readonly savedAt: string;
  /** Lines of each log written up to this checkpoint. */
  readonly lines: Record<RunLog, number>;
  /** Absolute path of each file, by suffix. */
  readonly files: Record<string, string>;
  /** As saved (typed arrays come back as arrays, non-finite numbers as numbers). */
  readonly state: unknown;
  readonly manifestPath: string;
}

interface Manifest {
  format: 'rnn-lyapunov.checkpoint';
  version: 1;
  epoch: number;
  step: number;
  savedAt: string;
  lines: Record<RunLog, number>;
  files: Record<string, { name: string; bytes: number }>;
  state: unknown;
}

export interface OpenRunOptions {
  /** Required to start a new run. When resuming, the stored config is kept (see `RunDirectory.config`). */
  config?: unknown;
  /** Continue the run in `dir` from its last complete checkpoint (an empty or missing `dir` starts a new run). */
  resume?: boolean;
}

const SUFFIX = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;
const CHECKPOINT_FILE = /^epoch-(\d+)\.(.+)$/;
const MANIFEST_SUFFIX = 'json';

function checkpointStem(epoch: number): string {
  return `epoch-${String(epoch).padStart(4, '0')}`;
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** The checkpoint a manifest describes, or undefined when the manifest or one of its files is incomplete. */
function readCheckpoint(checkpointsDir: string, manifestName: string): Checkpoint | undefined {
  const manifestPath = join(checkpointsDir, manifestName);
  let m: Partial<Manifest>;
  try {
    m = decodeJson(readFileSync(manifestPath, 'utf8'), manifestPath) as Partial<Manifest>;
  } catch {
    return undefined;
  }
  if (m?.format !== 'rnn-lyapunov.checkpoint' || m.version !== 1 || !isCount(m.epoch) || !isCount(m.step)) return undefined;
  if (typeof m.lines !== 'object' || m.lines === null || !RUN_LOGS.every((log) => isCount(m.lines![log]))) return undefined;
  if (typeof m.files !== 'object' || m.files === null) return undefined;
  const files: Record<string, string> = {};
  for (const [suffix, file] of Object.entries(m.files)) {
    if (typeof file?.name !== 'string' || !CHECKPOINT_FILE.test(file.name)) return undefined;
    const path = join(checkpointsDir, file.name);
    if (!existsSync(path) || statSync(path).size !== file.bytes) return undefined;
    files[suffix] = path;
  }
  return { epoch: m.epoch, step: m.step, savedAt: String(m.savedAt), lines: { ...m.lines }, files, state: m.state, manifestPath };
}

/** The complete checkpoints of a run, oldest first. */
export function listCheckpoints(dir: string): Checkpoint[] {
  const checkpointsDir = join(resolve(dir), RUN_FILES.checkpoints);
  if (!existsSync(checkpointsDir)) return [];
  return readdirSync(checkpointsDir)
    .filter((name) => CHECKPOINT_FILE.exec(name)?.[2] === MANIFEST_SUFFIX)
    .map((name) => readCheckpoint(checkpointsDir, name))
    .filter((c): c is Checkpoint => c !== undefined)
    .sort((a, b) => a.epoch - b.epoch);
}

export function latestCheckpoint(dir: string): Checkpoint | undefined {
  return listCheckpoints(dir).pop();
}

export function readConfig(dir: string): unknown {
  const path = join(resolve(dir), RUN_FILES.config);
  if (!existsSync(path)) throw new RunDirError(resolve(dir), `no ${RUN_FILES.config}: not a run directory`);
  return decodeJson(readFileSync(path, 'utf8'), path);
}

/** The records of a log's complete lines (a torn last line, from a crash, is left out). */
export function readLog(dir: string, log: RunLog): Record<string, unknown>[] {
  const path = join(resolve(dir), RUN_FILES[log]);
  return existsSync(path) ? (readJsonl(path) as Record<string, unknown>[]) : [];
}

/** A file stored with `RunDirectory.writeFile` (e.g. vocabulary.json), or undefined. */
export function readRunFile(dir: string, name: string): string | undefined {
  const path = join(resolve(dir), name);
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/**
 * The run's lock, or a RunBusyError naming the live process that holds it. A lock this very
 * process holds belongs to a handle it abandoned without `close` (an in-process crash test, a
 * library user reopening the run): the lock guards against other processes, so it is taken over.
 */
function takeRunLock(root: string): HeldLock {
  const path = join(root, RUN_FILES.lock);
  let taken = holdLock(path);
  if ('holder' in taken && taken.holder?.pid === process.pid && taken.holder.host === hostname()) {
    rmSync(path, { force: true });
    taken = holdLock(path);
  }
  if ('holder' in taken) throw new RunBusyError(root, taken.holder);
  return taken.held;
}

export class RunDirectory {
  private constructor(
    /** Absolute path of the run. */
    readonly dir: string,
    /** The run's config: as given for a new run, as stored for a resumed one. */
    readonly config: unknown,
    /** The checkpoint a resumed run continues from; undefined when the run starts from scratch. */
    readonly resumedFrom: Checkpoint | undefined,
    private readonly lines: Record<RunLog, number>,
    private readonly lock: HeldLock,
    /** What this process created: the directory, the files of a new run in it, or nothing (a resumed run). */
    private readonly created: 'directory' | 'files' | 'nothing',
  ) {}

  /** Opens `dir` for a new run, or with `resume` continues the run there; holds the run's lock until `close`. */
  static open(dir: string, options: OpenRunOptions = {}): RunDirectory {
    const root = resolve(dir);
    if (existsSync(root) && !statSync(root).isDirectory()) throw new RunDirError(root, 'exists and is not a directory');
    const createdDir = !existsSync(root);
    mkdirSync(root, { recursive: true });
    const lock = takeRunLock(root);
    try {
      // Temporary files alone are what a run killed before its config.json landed leaves behind.
      const entries = readdirSync(root).filter((name) => !isTemporaryName(name) && !isLockName(name));
      if (entries.length === 0) return RunDirectory.start(root, options.config, lock, createdDir);
      if (!options.resume) {
        throw new RunDirError(
          root,
          `already holds ${entries.length} entries (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}); ` +
            'resume it, or choose a new directory: results are never overwritten',
        );
      }
      return RunDirectory.resume(root, lock);
    } catch (error) {
      lock.release();
      if (createdDir) rmSync(root, { recursive: true, force: true });
      throw error;
    }
  }

  private static start(root: string, config: unknown, lock: HeldLock, createdDir: boolean): RunDirectory {
    if (config === undefined) throw new RunDirError(root, 'a config is needed to start a new run');
    removeTemporaryFiles(root);
    writeFileAtomic(join(root, RUN_FILES.config), `${encodeJson(config, 2)}\n`);
    for (const log of RUN_LOGS) writeFileAtomic(join(root, RUN_FILES[log]), '');
    mkdirSync(join(root, RUN_FILES.checkpoints), { recursive: true });
    return new RunDirectory(root, config, undefined, { metrics: 0, spectra: 0 }, lock, createdDir ? 'directory' : 'files');
  }

  /** True when this call started the run (a new run), false when it resumed one. */
  get isNew(): boolean {
    return this.created !== 'nothing';
  }

  /** Releases the run's lock (the directory stays as written). */
  close(): void {
    this.lock.release();
  }

  /**
   * Undoes a start that failed before training: a new run's files are removed (its directory
   * too when this process created it); a resumed run is left as it was. Releases the lock.
   */
  discard(): void {
    try {
      if (this.created === 'directory') rmSync(this.dir, { recursive: true, force: true });
      else if (this.created === 'files') {
        for (const name of [RUN_FILES.config, RUN_FILES.metrics, RUN_FILES.spectra]) rmSync(join(this.dir, name), { force: true });
        rmSync(join(this.dir, RUN_FILES.checkpoints), { recursive: true, force: true });
      }
    } finally {
      this.lock.release();
    }
  }

  private static resume(root: string, lock: HeldLock): RunDirectory {
    const config = readConfig(root);
    const checkpointsDir = join(root, RUN_FILES.checkpoints);
    mkdirSync(checkpointsDir, { recursive: true });
    const from = latestCheckpoint(root);
    // Left by the killed process: temporary files, and files of checkpoints it did not complete.
    removeTemporaryFiles(root);
    for (const name of readdirSync(checkpointsDir)) {
      const epoch = CHECKPOINT_FILE.exec(name)?.[1];
      const stale = epoch !== undefined && Number(epoch) > (from?.epoch ?? -1);
      if (stale || isTemporaryName(name)) rmSync(join(checkpointsDir, name), { force: true });
    }
    const lines = { metrics: 0, spectra: 0, ...from?.lines };
    for (const log of RUN_LOGS) {
      const path = join(root, RUN_FILES[log]);
      if (existsSync(path)) truncateJsonl(path, lines[log]);
      else if (lines[log] === 0) writeFileAtomic(path, '');
      else throw new RunDirError(root, `${RUN_FILES[log]} is missing but checkpoint epoch ${from?.epoch} recorded ${lines[log]} lines`);
    }
    syncDirectory(checkpointsDir);
    syncDirectory(root);
    return new RunDirectory(root, config, from, lines, lock, 'nothing');
  }

  /** Appends one record as a line of metrics.jsonl or spectra.jsonl. */
  append(log: RunLog, record: object): void {
    const path = join(this.dir, RUN_FILES[log]);
    try {
      appendFileSync(path, jsonLine(record));
    } catch (error) {
      throw errorOfPath(error, path);
    }
    this.lines[log] += 1;
  }

  /** Lines in a log so far (what the next checkpoint will record). */
  lineCount(log: RunLog): number {
    return this.lines[log];
  }

  saveCheckpoint(input: CheckpointInput): Checkpoint {
    const { epoch, step, files } = input;
    if (!isCount(epoch)) throw new RangeError(`checkpoint epoch is ${String(epoch)}, expected an integer ≥ 0`);
    if (!isCount(step)) throw new RangeError(`checkpoint step is ${String(step)}, expected an integer ≥ 0`);
    for (const suffix of Object.keys(files)) {
      if (!SUFFIX.test(suffix) || suffix === MANIFEST_SUFFIX) {
        throw new RangeError(`checkpoint file suffix '${suffix}' must be letters, digits, '-', '_' and inner dots, and not '${MANIFEST_SUFFIX}'`);
      }
    }
    const stateJson = encodeJson(input.state ?? null);
    const checkpointsDir = join(this.dir, RUN_FILES.checkpoints);
    const stem = checkpointStem(epoch);
    const manifestPath = join(checkpointsDir, `${stem}.${MANIFEST_SUFFIX}`);
    // Replacing a checkpoint: withdraw its manifest first, so a crash midway leaves no checkpoint
    // whose manifest vouches for a mix of old and new files.
    if (existsSync(manifestPath)) {
      rmSync(manifestPath);
      syncDirectory(checkpointsDir);
    }
    const written: Manifest['files'] = {};
    for (const [suffix, content] of Object.entries(files)) {
      const name = `${stem}.${suffix}`;
      writeFileAtomic(join(checkpointsDir, name), content);
      written[suffix] = { name, bytes: statSync(join(checkpointsDir, name)).size };
    }
    for (const log of RUN_LOGS) syncFile(join(this.dir, RUN_FILES[log]));
    const manifest: Manifest = {
      format: 'rnn-lyapunov.checkpoint',
      version: 1,
      epoch,
      step,
      savedAt: new Date().toISOString(),
      lines: { ...this.lines },
      files: written,
      state: decodeJson(stateJson, 'checkpoint state'),
    };
    writeFileAtomic(manifestPath, `${encodeJson(manifest, 2)}\n`);
    const saved = readCheckpoint(checkpointsDir, `${stem}.${MANIFEST_SUFFIX}`);
    if (saved === undefined) throw new RunDirError(this.dir, `checkpoint ${stem} could not be read back after saving`);
    return saved;
  }

  /** Stores a file of the run (e.g. vocabulary.json) atomically; returns its path. */
  writeFile(name: string, content: FileContent): string {
    const reserved = Object.values(RUN_FILES) as string[];
    if (!SUFFIX.test(name) || reserved.includes(name) || isTemporaryName(name)) {
      throw new RangeError(`run file name '${name}' must be a plain file name other than ${reserved.join(', ')}`);
    }
    const path = join(this.dir, name);
    writeFileAtomic(path, content);
    return path;
  }
}

/** The run's lock file, or a broken lock being removed (run-lock.ts renames it to LOCK.stale-TOKEN). */
function isLockName(name: string): boolean {
  return name === RUN_FILES.lock || name.startsWith(`${RUN_FILES.lock}.stale-`);
}

function removeTemporaryFiles(dir: string): void {
  for (const name of readdirSync(dir)) if (isTemporaryName(name)) rmSync(join(dir, name), { force: true });
}

/** Opens `dir` for a new run, or with `resume` continues the run there (see `RunDirectory.open`). */
export function openRun(dir: string, options: OpenRunOptions = {}): RunDirectory {
  return RunDirectory.open(dir, options);
}
