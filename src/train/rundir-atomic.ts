/**
 * Atomic file replacement for the run directory: the content goes to a temporary file in the
 * target's directory (rename is atomic only within one file system), is flushed to disk, then
 * renamed over the target, and the directory is flushed so the rename itself survives a power
 * loss. Readers see the old file or the complete new one, never a mix. A crash can leave a
 * temporary file behind; `isTemporaryName` recognises them for cleaning up.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** Bytes, UTF-8 text, or a function that writes the file at the path it is given. */
export type FileContent = Uint8Array | string | ((temporaryPath: string) => void);

const TEMPORARY = /^\..+\.tmp$/;

export function isTemporaryName(name: string): boolean {
  return TEMPORARY.test(name);
}

function fsyncPath(path: string, flags: string): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
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

/** Flushes a file's data to disk. */
export function syncFile(path: string): void {
  fsyncPath(path, 'r+');
}

export function writeAtomic(path: string, content: FileContent): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    if (typeof content === 'function') content(temporary);
    else writeFileSync(temporary, content, { flag: 'wx' });
    syncFile(temporary);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  syncDirectory(dirname(path));
}
