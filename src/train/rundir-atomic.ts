/**
 * Atomic file replacement for the run directory is the io layer's `writeFileAtomic` (temporary
 * file, fsync, rename, directory fsync). A crash can leave a temporary file behind;
 * `isTemporaryName` recognises them for cleaning up.
 */
export { syncDirectory, syncFile, writeFileAtomic as writeAtomic, type FileContent } from '../io/atomic-write.js';

const TEMPORARY = /^\..+\.tmp$/;

export function isTemporaryName(name: string): boolean {
  return TEMPORARY.test(name);
}
