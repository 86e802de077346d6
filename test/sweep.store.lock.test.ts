import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOwner, tryLock, unlock } from '../src/sweep/index.js';

test('run locks: one holder at a time; a dead holder, a silent one, or none at all gives way', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sweep-lock-'));
  try {
    const path = join(dir, 'locks', 'run.lock');
    const owner = tryLock(path)!;
    assert.equal(owner.pid, process.pid);
    assert.deepEqual(readOwner(path), owner);
    assert.equal(tryLock(path), undefined, 'held by a live process on this host');

    unlock(path, { ...owner, token: 'someone else' });
    assert.ok(existsSync(path), 'only the holder unlocks');
    unlock(path, owner);
    assert.ok(!existsSync(path));

    const fake = (pid: number, host = hostname()) => writeFileSync(path, JSON.stringify({ host, pid, token: 't', acquiredAt: '' }));
    const exited = spawnSync(process.execPath, ['-e', '']).pid!; // started, exited and reaped: its pid is free
    fake(exited);
    assert.ok(tryLock(path), `a dead pid's lock is stale`);
    rmSync(path);

    fake(process.pid, 'another-host');
    assert.equal(tryLock(path), undefined, "a fresh lock of another host's process holds");
    const old = new Date(Date.now() - 120_000);
    utimesSync(path, old, old);
    assert.ok(tryLock(path, 60_000), 'without a heartbeat for longer than staleMs it is stale');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
