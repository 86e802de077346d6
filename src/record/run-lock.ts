/**
 * One process at a time trains a run. The trainer holds a lock file naming its host and pid,
 * and keeps its modification time fresh (a heartbeat; `holdLock` runs one on a thread of its
 * own, so it beats while training blocks the main thread). A
 * lock is stale when its holder is gone: a dead pid on this host, or no heartbeat for
 * `staleMs` (a holder on another machine, or a reused pid). Stale locks are broken by an
 * atomic rename, so of two processes breaking the same lock only one wins.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';

export interface LockOwner {
  host: string;
  pid: number;
  token: string;
  acquiredAt: string;
}

export const DEFAULT_STALE_MS = 60_000;

/** Takes the lock, or returns undefined when a live process holds it. */
export function tryLock(path: string, staleMs = DEFAULT_STALE_MS): LockOwner | undefined {
  mkdirSync(dirname(path), { recursive: true });
  const owner: LockOwner = { host: hostname(), pid: process.pid, token: randomBytes(8).toString('hex'), acquiredAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, `${JSON.stringify(owner)}\n`);
      } finally {
        closeSync(fd);
      }
      return owner;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (!isStale(path, staleMs)) return undefined;
    const tombstone = `${path}.stale-${owner.token}`;
    try {
      renameSync(path, tombstone);
      rmSync(tombstone, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // another process broke it first
    }
  }
  return undefined;
}

const HEARTBEAT = `
const { workerData } = require('node:worker_threads');
const { utimesSync } = require('node:fs');
setInterval(() => {
  const now = new Date();
  try { utimesSync(workerData.path, now, now); } catch {}
}, workerData.intervalMs);
`;

export interface HeldLock {
  readonly path: string;
  readonly owner: LockOwner;
  /** Stops the heartbeat and removes the lock (if still ours). */
  release(): void;
}

/**
 * Takes the lock at `path` and keeps its heartbeat fresh from a worker thread until `release`,
 * or returns the live holder's `LockOwner` (undefined fields when it could not be read).
 */
export function holdLock(path: string, staleMs = DEFAULT_STALE_MS): { held: HeldLock } | { holder: LockOwner | undefined } {
  const owner = tryLock(path, staleMs);
  if (owner === undefined) return { holder: readOwner(path) };
  const heartbeat = new Worker(HEARTBEAT, { eval: true, workerData: { path, intervalMs: Math.max(50, Math.floor(staleMs / 6)) } });
  heartbeat.unref();
  let released = false;
  return {
    held: {
      path,
      owner,
      release() {
        if (released) return;
        released = true;
        void heartbeat.terminate();
        unlock(path, owner);
      },
    },
  };
}

/** Removes the lock if `owner` still holds it. */
export function unlock(path: string, owner: LockOwner): void {
  if (readOwner(path)?.token === owner.token) rmSync(path, { force: true });
}

/** Whether a live process holds the lock at `path` (taking it now would fail). */
export function isHeld(path: string, staleMs = DEFAULT_STALE_MS): boolean {
  return existsSync(path) && !isStale(path, staleMs);
}

/** Whether `host:pid` names a live process on this host (undefined: another host, which cannot tell). */
export function isLiveHere(host: string, pid: number): boolean | undefined {
  return host === hostname() ? isAlive(pid) : undefined;
}

export function readOwner(path: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
  } catch {
    return undefined; // missing, or being written this instant
  }
}

function isStale(path: string, staleMs: number): boolean {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(path).mtimeMs;
  } catch {
    return true; // gone already: try again
  }
  if (Date.now() - mtimeMs > staleMs) return true;
  const owner = readOwner(path);
  if (owner === undefined) return false; // just created; its writer is alive
  return owner.host === hostname() && !isAlive(owner.pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/**
 * A dead process not yet reaped still answers kill(pid, 0). Its orphaned run process is reaped
 * by init, which some containers do late or never; on Linux /proc tells.
 */
function isZombie(pid: number): boolean {
  try {
    // /proc/PID/stat: "pid (comm) state …"; comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false; // no /proc: trust kill()
  }
}
