/**
 * Starts the process that trains one run (run-child) and tells how it ended. Its console
 * output is appended to the sweep's logs/<id>.log, framed by this process's start and end lines
 * (LOG_LINES: the end line is what counts the attempt); a failure's message is the tail of what
 * this attempt wrote there.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync, fstatSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LOG_LINES, sweepLayout } from '../store/layout.js';
import { EXIT_BUSY, FAILURE_PREFIX, type ChildMessage, type JobOutcome, type RunJob } from './run-job.js';

export type AttemptOutcome = JobOutcome | 'failed';

export interface AttemptResult {
  outcome: AttemptOutcome;
  /** For a failure: the exit code or signal, and the last lines the attempt printed. */
  error?: string;
  seconds: number;
}

export interface RunningAttempt {
  child: ChildProcess;
  result: Promise<AttemptResult>;
  /** Kills the run process because this process is stopping: the attempt does not count. */
  stop(): void;
}

const CHILD_MODULE = fileURLToPath(new URL(`./run-child${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));

/** `onStarted` is called when the child takes the run's lock and starts training (an attempt). */
export function spawnRun(job: RunJob, onStarted: () => void = () => {}): RunningAttempt {
  const layout = sweepLayout(job.sweepDir);
  mkdirSync(layout.logsDir, { recursive: true });
  const log = openSync(layout.logFile(job.id), 'a+');
  const start = fstatSync(log).size;
  writeSync(log, `${LOG_LINES.started} ${new Date().toISOString()} (pid ${process.pid})\n`);
  const began = Date.now();
  const child = fork(CHILD_MODULE, [JSON.stringify(job), String(process.pid)], {
    stdio: ['ignore', log, log, 'ipc'],
    execArgv: loaderFlags(process.execArgv),
  });
  let toldOutcome: JobOutcome | undefined;
  let stopped = false;
  child.on('message', (message: ChildMessage) => {
    if (message.type === 'started') onStarted();
    else toldOutcome = message.outcome;
  });
  const result = new Promise<AttemptResult>((resolve) => {
    let finished = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (finished) return; // 'error' and 'close' can both come
      finished = true;
      const seconds = (Date.now() - began) / 1000;
      const clean = toldOutcome !== undefined && code === (toldOutcome === 'busy' ? EXIT_BUSY : 0);
      const tail = clean ? '' : failureMessage(lastLines(log, start, 12));
      const result: AttemptResult = clean
        ? { outcome: toldOutcome!, seconds }
        : { outcome: 'failed', seconds, error: `${signal ? `killed by ${signal}` : `exit code ${code}`}${tail ? `: ${tail}` : ''}` };
      writeSync(log, `${endLine(result, stopped)}\n`);
      closeSync(log);
      resolve(result);
    };
    child.once('error', () => finish(1, null));
    child.once('close', finish);
  });
  const stop = () => {
    stopped = true;
    child.kill('SIGTERM');
  };
  return { child, result, stop };
}

function endLine(result: AttemptResult, stopped: boolean): string {
  if (result.outcome === 'trained') return `${LOG_LINES.trained} in ${result.seconds.toFixed(1)} s`;
  if (result.outcome !== 'failed') return `${LOG_LINES.uncounted}the run was ${result.outcome}`;
  if (stopped) return `${LOG_LINES.uncounted}stopped with its sweep or worker`;
  return `${LOG_LINES.failed}${result.error!.replace(/\s*\n\s*/g, ' | ')}`;
}

/** The flags that make this process load TypeScript (tsx) or other loaders; not test-runner flags. */
function loaderFlags(execArgv: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const flag = execArgv[i];
    if (['--import', '--require', '-r', '--loader', '--experimental-loader'].includes(flag)) kept.push(flag, execArgv[++i]);
    else if (/^--(import|require|loader|experimental-loader)=/.test(flag)) kept.push(flag);
  }
  return kept;
}

/** The error message a failed run process printed last, or else the tail of its output. */
function failureMessage(tail: string): string {
  const line = tail.split('\n').reverse().find((l) => l.startsWith(FAILURE_PREFIX));
  return line === undefined ? tail : line.slice(FAILURE_PREFIX.length);
}

function lastLines(fd: number, from: number, count: number): string {
  const size = fstatSync(fd).size;
  const length = Math.min(size - from, 16384);
  const bytes = Buffer.alloc(Math.max(length, 0));
  readSync(fd, bytes, 0, bytes.length, size - bytes.length);
  return bytes.toString('utf8').trimEnd().split('\n').slice(-count).join('\n');
}
