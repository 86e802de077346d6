#!/usr/bin/env node
import { Command, Help, type Option } from 'commander';
import { registerCommands } from './commands/index.js';
import { reportFailure } from './exit-code.js';

/**
 * Commander's help, except that an option whose description already says its default (in words
 * a user can read: "all cores", "the latest") does not get commander's "(default: 2)" after it.
 */
class OneDefaultHelp extends Help {
  override optionDescription(option: Option): string {
    if (/\bdefault\b/.test(option.description)) return option.description;
    return super.optionDescription(option);
  }
}

/** Our command class, so that every subcommand (made by `createCommand`) gets the same help. */
class CliCommand extends Command {
  override createCommand(name?: string): Command {
    return new CliCommand(name);
  }
  override createHelp(): Help {
    return Object.assign(new OneDefaultHelp(), this.configureHelp());
  }
}

const program = new CliCommand('rnn-lyapunov')
  .description('Lyapunov spectra of recurrent neural networks (RNN, LSTM, GRU) driven by sequence data')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  // Commander's own errors ("error: unknown option '--x'") read like every other error of ours.
  .configureOutput({ outputError: (text, write) => write(`rnn-lyapunov: ${text.replace(/^error: /, '')}`) })
  .exitOverride();
registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportFailure(error);
}
