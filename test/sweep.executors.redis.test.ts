/**
 * The Redis executor as a user runs it: a redis-server on loopback (started and stopped here),
 * `sweep --executor` enqueuing the tiny sweep, two `worker` processes, one SIGKILLed mid-run.
 * Skipped (reported as skipped) only where redis-server is not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectRedis, parseRedisUrl, RunIndex } from '../src/sweep/index.js';
import { assertSweepComplete, isMidway, logCounts, runCli, startCli, waitFor, writeSpec } from './sweep.helpers.js';

const hasRedis = spawnSync('redis-server', ['--version']).status === 0;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startRedis(port: number): Promise<ChildProcess> {
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    redis.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
    redis.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
  });
  return redis;
}

test('two Redis workers, one SIGKILLed mid-run: every run finishes once, the killed run resumes on the other worker', { skip: hasRedis ? false : 'redis-server is not installed' }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'sweep-redis-'));
  const port = await freePort();
  const redis = await startRedis(port);
  const url = `redis://127.0.0.1:${port}`;
  const workers: ReturnType<typeof startCli>[] = [];
  try {
    const spec = writeSpec(root);
    const out = join(root, 'sweep');
    const enqueue = runCli(['sweep', spec, '--out', out, '--executor', url]);
    assert.equal(enqueue.status, 0, enqueue.stderr);
    assert.match(enqueue.stdout, /enqueued 6 runs/);
    const again = runCli(['sweep', spec, '--out', out, '--executor', url]);
    assert.match(again.stdout, /enqueued 0 runs/, 'enqueuing the same sweep again adds nothing');

    for (let i = 0; i < 2; i++) workers.push(startCli(['worker', '--executor', url, '--stall-seconds', '2']));
    const index = new RunIndex(join(out, 'index.sqlite'));
    let victim: { worker: ReturnType<typeof startCli>; run: string } | undefined;
    try {
      await waitFor('a worker with a run past its first epoch', () => {
        for (const run of index.list('running')) {
          const worker = workers.find((w) => run.worker === `${hostname()}:${w.child.pid}`);
          if (worker && isMidway(out, run.id)) victim = { worker, run: run.id };
        }
        return victim !== undefined;
      }, 60_000);
      victim!.worker.child.kill('SIGKILL');
      assert.equal((await victim!.worker.exit).signal, 'SIGKILL');
      await waitFor('every run done', () => index.counts().done === 6, 60_000);
    } finally {
      index.close();
    }
    const survivor = workers.find((w) => w !== victim!.worker)!;
    survivor.child.kill('SIGTERM');
    assert.equal((await survivor.exit).code, 0);

    assertSweepComplete(out, 6);
    assert.deepEqual(logCounts(out, victim!.run), { started: 2, trained: 1 }, `run ${victim!.run}, killed with its worker, was taken over once`);
    const summary = JSON.parse(readFileSync(join(out, 'runs', victim!.run, 'summary.json'), 'utf8'));
    assert.ok(summary.resumedFrom >= 1, `run ${victim!.run} resumed from its checkpoint (from epoch ${summary.resumedFrom})`);
    assert.match(runCli(['sweep', spec, '--out', out, '--executor', url]).stdout, /enqueued 0 runs/, 'a finished sweep enqueues nothing');
  } finally {
    for (const w of workers) w.child.kill('SIGKILL');
    redis.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
});

test('an unreachable Redis executor, or an executor that is not redis://, is a SweepError naming it', async () => {
  const port = await freePort();
  await assert.rejects(connectRedis(`redis://127.0.0.1:${port}`), new RegExp(`cannot reach Redis at 127.0.0.1:${port}`));
  assert.throws(() => parseRedisUrl('http://x'), /--executor 'http:\/\/x': expected redis:\/\/HOST:PORT/);
  assert.throws(() => parseRedisUrl('localhost:6379'), /expected redis:\/\/HOST:PORT/);
});

test('sweep and worker take the Redis URL from --executor; --backend, its old spelling, still works with one deprecation line', async () => {
  const port = await freePort(); // nothing listens there: each command gets as far as connecting
  const url = `redis://127.0.0.1:${port}`;
  const unreachable = new RegExp(`cannot reach Redis at 127.0.0.1:${port}`);
  const root = mkdtempSync(join(tmpdir(), 'sweep-executor-flag-'));
  try {
    const spec = writeSpec(root);
    for (const command of [['sweep', spec, '--out', join(root, 'sweep')], ['worker']]) {
      const current = runCli([...command, '--executor', url]);
      assert.notEqual(current.status, 0);
      assert.match(current.stderr, unreachable, `${command[0]} --executor: ${current.stderr}`);
      assert.doesNotMatch(current.stderr, /deprecated/);
      const old = runCli([...command, '--backend', url]);
      assert.notEqual(old.status, 0);
      assert.equal(old.stderr.split('\n')[0], 'rnn-lyapunov: --backend for sweeps is deprecated; use --executor');
      assert.match(old.stderr, unreachable, `${command[0]} --backend: ${old.stderr}`);
    }
    assert.match(runCli(['worker', '--executor', url, '--backend', url]).stderr, /cannot be used with option '--executor/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
