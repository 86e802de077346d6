#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.js';
import { UsageError } from './errors.js';
import { TensorFileError } from '../io/errors.js';
import { SpectrumError } from '../lyapunov/index.js';
import { UserError } from '../errors.js';

const program = new Command('rnn-lyapunov')
  .description('Lyapunov spectra of recurrent neural networks (RNN, LSTM, GRU) driven by sequence data')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();
registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeFor(error);
}

/**
 * Known, user-fixable failures become one line on stderr and exit code 2; anything else is a
 * bug and keeps its stack trace (exit 1).
 */
function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander has already printed its message (or the help/version text).
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof Error && isUserError(error)) {
    process.stderr.write(`rnn-lyapunov: ${error.message}\n`);
    return 2;
  }
  console.error(error);
  return 1;
}

function isUserError(error: Error): boolean {
  // RangeError: the library's argument and shape checks, which name the offending value.
  return error instanceof UserError || error instanceof UsageError || error instanceof TensorFileError || error instanceof SpectrumError || error.name === 'RunDirError'
    || error instanceof RangeError || ['ENOENT', 'EACCES', 'EISDIR'].includes((error as NodeJS.ErrnoException).code ?? '');
}
