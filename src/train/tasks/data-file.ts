import { accessSync, constants, statSync } from 'node:fs';
import { TaskDataError } from '../errors.js';

/**
 * Throws a TaskDataError naming `path` unless it is a readable regular file: a task's data is
 * checked this way before a run directory is created, so a missing file leaves nothing behind.
 */
export function checkReadableFile(path: string, what: string): void {
  let reason: string;
  try {
    accessSync(path, constants.R_OK);
    if (statSync(path).isFile()) return;
    reason = 'is not a regular file';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    reason = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable (permission denied)' : (error as Error).message;
  }
  throw new TaskDataError(`${what} ${path} ${reason}`);
}
