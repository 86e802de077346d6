import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { integer } from '../parse.js';
import { UsageError } from '../errors.js';
import { stopOnSignals } from './stop-signals.js';

interface ServeFlags {
  port: number;
  host: string;
  pollMs: number;
  anyHost?: boolean;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('live dashboard of the runs and sweeps in a directory (loss and spectrum update as runs train); at /app/ the browser page that computes the spectrum of a model file dropped on it, in the browser (docs/browser.md; built by `npm run build`)')
    .argument('<runs-dir>', 'directory holding run directories and sweeps')
    .option('--port <port>', 'TCP port; 0 picks a free one', integer('--port', 0), 8080)
    .option('--host <host>', 'interface to listen on (127.0.0.1: this machine only)', '127.0.0.1')
    .option('--any-host', 'answer requests with any Host header (default: only the bound address, localhost, 127.0.0.1, [::1] with the port, against DNS rebinding); there is no authentication')
    .option('--poll-ms <ms>', 'how often watched logs are checked for new lines', integer('--poll-ms', 10), 500)
    .action(async (dir: string, flags: ServeFlags) => {
      if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dir}: no such directory`);
      if (flags.port > 65535) throw new UsageError(`--port must be at most 65535, got ${flags.port}`);
      if (!LOOPBACK_HOSTS.has(flags.host)) process.stderr.write(`warning: --host ${flags.host} is reachable from other machines and the dashboard has no authentication: anyone who can connect reads every run\n`);
      // Imported only here: the server is a large part of the CLI's start-up time.
      const { startDashboard } = await import('../../report/dashboard/index.js');
      const { url, close } = await startDashboard({ root: dir, port: flags.port, host: flags.host, pollMs: flags.pollMs, allowAnyHost: flags.anyHost === true }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') throw new UsageError(`port ${flags.port} on ${flags.host} is in use: choose another --port (0 picks a free one)`);
        if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') throw new UsageError(`--host ${flags.host}: not an address of this machine`);
        throw error;
      });
      // The handlers come before the URL: whoever reads the URL may signal at once, before the next line runs.
      stopOnSignals().signal.addEventListener('abort', () => void close().then(() => process.exit(0)));
      process.stdout.write(`rnn-lyapunov dashboard: ${url}\n`);
    });
}
