import { CommanderError } from 'commander';
import { UserError } from '../errors.js';

/** What the operating system said, in words a user can act on. */
const SYSTEM_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory, expected a file',
  ENOTDIR: 'a part of this path is a file, not a directory',
  EROFS: 'the file system is read-only: choose a writable place',
  ENOSPC: 'no space left on the device: free some space and run again',
  EEXIST: 'already exists',
};

/**
 * Prints a failed command's error and returns its exit code. A user error (a `UserError`, or a
 * file-system error of a path the user gave) is one line and exit code 2; anything else is a bug
 * and keeps its stack trace (exit code 1).
 */
export function reportFailure(error: unknown, write: (text: string) => void = (text) => process.stderr.write(text)): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2; // commander has printed it
  if (error instanceof UserError) {
    write(`rnn-lyapunov: ${error.message}\n`);
    return 2;
  }
  const system = fileSystemProblem(error);
  if (system !== undefined) {
    write(`rnn-lyapunov: ${system}\n`);
    return 2;
  }
  write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  return 1;
}

/** 'PATH: what went wrong (CODE)' for a Node.js file-system error that names its path. */
function fileSystemProblem(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, path, syscall } = error as NodeJS.ErrnoException;
  if (code === undefined || path === undefined || syscall === undefined) return undefined;
  const meaning = SYSTEM_ERRORS[code];
  return meaning === undefined ? undefined : `${path}: ${meaning} (${code} on ${syscall})`;
}
