import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** Bytes, UTF-8 text, or a function that writes the file at the path it is given. */
export type FileContent = Uint8Array | string | ((temporaryPath: string) => void);

function fsyncPath(path: string, flags: string): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Flushes a file's data to disk. */
export function syncFile(path: string): void {
  fsyncPath(path, 'r+');
}

/** Flushes a directory's entries (renames, creations); a no-op where directories cannot be opened (Windows). */
export function syncDirectory(dir: string): void {
  try {
    fsyncPath(dir, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EACCES' && code !== 'EINVAL') throw error;
  }
}

/** The name of the temporary file `writeFileAtomic` writes for `path`: `.NAME.PID.RANDOM.tmp`. */
function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

const TEMPORARY = /^\..+\.tmp$/;

/** Whether a file name is one of `writeFileAtomic`'s temporary files (which a crash can leave behind). */
export function isTemporaryName(name: string): boolean {
  return TEMPORARY.test(name);
}

/**
 * Write `content` to `path` so that readers see either the old file or the complete new one:
 * write a temporary file `.NAME.PID.RANDOM.tmp` in the same directory (rename is atomic only
 * within a file system), flush it to disk, rename it over the target, then flush the directory
 * so the rename itself survives a power loss. The temporary file is removed on failure.
 */
export function writeFileAtomic(path: string, content: FileContent): void {
  const temporary = temporaryPath(path);
  try {
    if (typeof content === 'function') content(temporary);
    else writeFileSync(temporary, content, { flag: 'wx' });
    syncFile(temporary);
    renameSync(temporary, path);
  } catch (error) {
    removeQuietly(temporary);
    throw errorOfPath(error, path, temporary);
  }
  syncDirectory(dirname(path));
}

/** Removes a temporary file if it is there; a failure here must not hide the error being reported. */
function removeQuietly(temporary: string): void {
  try {
    rmSync(temporary, { force: true });
  } catch {
    // e.g. ENOTDIR when the target's directory is a file: the write's own error says so
  }
}

/**
 * A system error as an error of `path`, the file the user knows: one from a temporary file standing
 * in for it, or one without a path (ENOSPC from write(2) names none). Other errors pass unchanged.
 */
export function errorOfPath(error: unknown, path: string, temporary?: string): unknown {
  const system = error as NodeJS.ErrnoException;
  if (error instanceof Error && system.code !== undefined && (system.path === undefined || system.path === temporary)) system.path = path;
  return error;
}
