import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';

/** What the operating system said, in words a user can act on. */
const SYSTEM_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied: change its permissions, or choose another path',
  EPERM: 'operation not permitted: change its permissions, or choose another path',
  EISDIR: 'is a directory, expected a file',
  ENOTDIR: 'a part of this path is a file, not a directory',
  EROFS: 'the file system is read-only: choose a writable place',
  ENOSPC: 'no space left on the device: free some space and run again (to continue a training run: --resume)',
  EDQUOT: 'disk quota exceeded: free some space and run again (to continue a training run: --resume)',
  EEXIST: 'already exists',
};

/** SQLite's words for the same (the sweep's index.sqlite), which name no path and no system call. */
const SQLITE_ERRORS: Readonly<Record<string, string>> = {
  SQLITE_FULL: "no space left on the device for the sweep's index.sqlite: free some space and run the same command again",
  SQLITE_READONLY: "the sweep's index.sqlite cannot be written (a read-only file system?): choose a writable place",
};

/** Codes that mean the same whichever file was written, so a message without the path still helps. */
const WHOLE_DEVICE = new Set(['ENOSPC', 'EDQUOT', 'EROFS']);

/**
 * One line for a Node.js file-system error — 'PATH: what went wrong and what to do (CODE on SYSCALL)' —
 * or undefined for any other error (a bug). ENOENT and ENOTDIR are traced to the part of the path
 * at fault, since the system's code alone misleads: a recursive mkdir inside a read-only mount
 * fails with ENOENT, not EROFS.
 */
export function fileSystemProblem(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, path, syscall } = error as NodeJS.ErrnoException;
  if (code !== undefined && SQLITE_ERRORS[code] !== undefined) return `${SQLITE_ERRORS[code]} (${code})`;
  if (code === undefined || syscall === undefined) return undefined;
  const meaning = SYSTEM_ERRORS[code];
  if (meaning === undefined) return undefined;
  const origin = `(${code} on ${syscall})`;
  if (path === undefined) return WHOLE_DEVICE.has(code) ? `${meaning} ${origin}` : undefined;
  const cause = code === 'ENOENT' || code === 'ENOTDIR' ? missingPart(path, syscall) : undefined;
  return `${path}: ${cause ?? meaning} ${origin}`;
}

/** Why `path` could not be reached or made: the nearest part of it that exists, and what is wrong with it. */
function missingPart(path: string, syscall: string): string | undefined {
  let missing = path;
  let existing = dirname(path);
  let stats: Stats | undefined;
  while ((stats = statOf(existing)) === undefined && dirname(existing) !== existing) {
    missing = existing;
    existing = dirname(existing);
  }
  if (stats === undefined) return undefined;
  if (!stats.isDirectory()) return `${existing} is a file, not a directory: choose a path outside it`;
  if (syscall === 'mkdir' && isReadOnly(existing)) return `cannot be created: ${existing} is on a read-only file system; choose a writable place`;
  if (missing !== path) return `no such directory ${missing}: create it, or choose another path`;
  return undefined;
}

/** A path's stats, or undefined where it cannot be reached (missing, or under a file: ENOTDIR). */
function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Whether `dir` lies on a read-only file system (access(W_OK) says so even to root). */
function isReadOnly(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EROFS';
  }
}
