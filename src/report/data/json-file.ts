import { readFileSync } from 'node:fs';
import { ReportInputError } from '../errors.js';

/** A JSON file (a spectrum saved with `spectrum --json > FILE`, a sweep table…); invalid JSON is an input error. */
export function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    if (error instanceof SyntaxError) throw new ReportInputError(`${path}: not valid JSON (${error.message})`);
    throw error;
  }
}
