import { UserError } from '../errors.js';

/** A run directory in a state the asked-for operation cannot use (not a run, already used, damaged). */
export class RunDirError extends UserError {
  constructor(dir: string, detail: string) {
    super(`run directory ${dir}: ${detail}`);
  }
}

/** A line of metrics.jsonl or spectra.jsonl that is not what the training loop writes. */
export class RunLogError extends UserError {
  constructor(file: string, line: number, detail: string) {
    super(`${file} line ${line}: ${detail}`);
  }
}

/** A file of the run that is damaged: not valid JSON, or shorter than its checkpoint recorded. */
export class RunFileError extends UserError {}

/** The run directory is being trained by another live process (it holds the run's lock). */
export class RunBusyError extends RunDirError {
  constructor(dir: string, holder: { pid?: number; host?: string } | undefined) {
    super(
      dir,
      holder === undefined
        ? 'another process is training it (its lock is held, holder unreadable); wait for it to finish'
        : `another process is training it: pid ${holder.pid} on host ${holder.host}; wait for it to finish, then --resume`,
    );
  }
}

/** `watch` cannot do what it is asked: a bad pattern, a run directory that records something else. */
export class WatchError extends UserError {}
