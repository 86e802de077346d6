import { Option, type Command } from 'commander';

export interface ExecutorFlags {
  executor?: string;
  backend?: string;
}

/**
 * `--executor` of `sweep` and `worker`, and `--backend`, its old spelling: "backend" now means
 * the kernels (js|wasm) only, but scripts written for the old flag keep working.
 */
export function addExecutorOption(command: Command, description: string, defaultValue?: string): Command {
  const executor = new Option('--executor <executor>', description);
  return command
    .addOption(defaultValue === undefined ? executor : executor.default(defaultValue))
    .addOption(new Option('--backend <executor>', 'deprecated spelling of --executor').hideHelp().conflicts('executor'));
}

/** The executor the flags name; `--backend` prints one deprecation line. */
export function chosenExecutor(flags: ExecutorFlags): string | undefined {
  if (flags.backend === undefined) return flags.executor;
  process.stderr.write('rnn-lyapunov: --backend for sweeps is deprecated; use --executor\n');
  return flags.backend;
}
