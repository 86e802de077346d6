/**
 * The process that trains one run (started by the local pool or a Redis worker, one process per
 * attempt, for crash isolation). Its arguments are the JSON `RunJob` and its parent's pid. It
 * tells its parent over IPC
 * when training starts (the lock is taken) and how the attempt ended (`ChildMessage`); it exits
 * with 0 when it trained the run or found it complete, 75 when another live process holds the
 * run, 1 when training failed.
 *
 * A watchdog thread, which runs even while training blocks the main thread, keeps the run
 * lock's heartbeat fresh and kills this process as soon as its parent dies: a SIGKILLed sweep or
 * worker leaves no orphan training behind that would race a restarted one. The parent's pid
 * comes from the parent itself: one that died while this process was still loading would
 * otherwise go unnoticed (process.ppid is then already the reaper's).
 */
import { Worker } from 'node:worker_threads';
import { hostname } from 'node:os';
import { ATTEMPT_LINE } from '../store/layout.js';
import { executeRunJob, EXIT_BUSY, FAILURE_PREFIX, type ChildMessage, type RunJob } from './run-job.js';
import { trainRun } from './run-one.js';

const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const { utimesSync } = require('node:fs');
const length = new Int32Array(workerData.lock, 0, 1);
const bytes = new Uint8Array(workerData.lock, 4);
let ticks = 0;
setInterval(() => {
  if (process.ppid !== workerData.ppid) process.kill(process.pid, 'SIGKILL');
  const n = Atomics.load(length, 0);
  if (n > 0 && ticks++ % workerData.heartbeatTicks === 0) {
    const now = new Date();
    try { utimesSync(Buffer.from(bytes.subarray(0, n)).toString(), now, now); } catch {}
  }
}, workerData.intervalMs);
`;

async function main(): Promise<number> {
  const job = JSON.parse(process.argv[2] ?? '') as RunJob;
  const parent = Number(process.argv[3]);
  if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL');
  const lock = new SharedLockPath();
  const watchdog = new Worker(WATCHDOG, {
    eval: true,
    workerData: { ppid: parent, lock: lock.buffer, intervalMs: 100, heartbeatTicks: 50 },
  });
  watchdog.unref();
  const started: Promise<void>[] = [];
  const outcome = await executeRunJob(job, trainRun, (lockFile) => {
    lock.set(lockFile);
    process.stdout.write(`${ATTEMPT_LINE} on ${hostname()} by pid ${process.pid}\n`);
    started.push(send({ type: 'started' }));
  });
  await Promise.all(started);
  await send({ type: 'outcome', outcome });
  await watchdog.terminate();
  process.stdout.write(`run ${job.id}: ${outcome}\n`);
  return outcome === 'busy' ? EXIT_BUSY : 0;
}

/** Resolves once the message is handed to the parent (process.exit would otherwise drop it). */
function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

/**
 * The lock path, handed to the watchdog once the lock is taken. workerData is copied at start,
 * so the path travels through shared memory: its bytes, then (atomically) its length.
 */
class SharedLockPath {
  readonly buffer = new SharedArrayBuffer(4 + 4096);
  set(path: string): void {
    const bytes = Buffer.from(path);
    if (bytes.length > this.buffer.byteLength - 4) throw new RangeError(`lock path longer than 4096 bytes: ${path}`);
    new Uint8Array(this.buffer, 4).set(bytes);
    Atomics.store(new Int32Array(this.buffer, 0, 1), 0, bytes.length);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${error instanceof Error ? (error.stack ?? message) : message}\n${FAILURE_PREFIX}${message.replace(/\n/g, ' ')}\n`);
    process.exit(1);
  },
);
