import { CommanderError } from 'commander';
import { UserError } from '../errors.js';
import { fileSystemProblem } from './file-system-error.js';

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
