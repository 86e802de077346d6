import { existsSync } from 'node:fs';
import { UsageError } from './errors.js';

/**
 * Refuses an existing output file before any work is done: it is a result the user may still want,
 * so only the command's --force replaces it.
 */
export function refuseExistingOutput(option: string, path: string, force: boolean | undefined): void {
  if (!force && existsSync(path)) throw new UsageError(`${option} ${path}: the file exists; pass --force to overwrite it`);
}
