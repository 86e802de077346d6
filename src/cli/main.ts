#!/usr/bin/env node
import { Command } from 'commander';
import { registerCommands } from './commands/index.js';
import { reportFailure } from './exit-code.js';

const program = new Command('rnn-lyapunov')
  .description('Lyapunov spectra of recurrent neural networks (RNN, LSTM, GRU) driven by sequence data')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();
registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportFailure(error);
}
