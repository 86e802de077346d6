/**
 * The Redis executor as a user runs it: a redis-server on loopback (started and stopped here),
 * `sweep --executor` enqueuing the tiny sweep, two `worker` processes, one SIGKILLed mid-run.
 * Skipped (reported as skipped) only where redis-server is not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectRedis, parseRedisUrl } from '../src/sweep/index.js';
import { freePort, redisTest, startRedis } from './redis.helpers.js';
import {
  assertSweepComplete, EPOCHS, isDone, isMidway, logCounts, runCli, runIds, startCli, waitFor, writeSpec,
} from './sweep.helpers.js';

test('two Redis workers, one SIGKILLed mid-run: every run finishes once, the killed run resumes on the other worker', redisTest, async () => {
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
    // Workers do not write the index: who trains a run is in its run log.
    const trainer = (id: string) => {
      const log = join(out, 'logs', `${id}.log`);
      const starts = existsSync(log) ? [...readFileSync(log, 'utf8').matchAll(/^--- attempt started \S+ \(pid (\d+)\)$/gm)] : [];
      return starts.length === 0 ? undefined : Number(starts[starts.length - 1][1]);
    };
    let victim: { worker: ReturnType<typeof startCli>; run: string } | undefined;
    await waitFor('a worker with a run past its first epoch', () => {
      for (const id of runIds(out)) {
        const worker = workers.find((w) => trainer(id) === w.child.pid);
        if (worker && isMidway(out, id)) victim = { worker, run: id };
      }
      return victim !== undefined;
    }, 60_000);
    victim!.worker.child.kill('SIGKILL');
    assert.equal((await victim!.worker.exit).signal, 'SIGKILL');
    await waitFor('every run done', () => runIds(out).filter((id) => isDone(out, id)).length === 6, 150_000);
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

/** 2 tiny runs. */
const SMALL = `
method: grid
maxAttempts: 2
parameters:
  lr: { values: [0.003, 0.01] }
spectrum: { every: 1, batch: 1, steps: 20, transient: 0, k: 2 }
readout: { metric: final_val_loss, epoch: 1 }
base:
  task: { name: copy, trainSize: 128, evalSize: 16 }
  cell: lstm
  hidden: 4
  epochs: ${EPOCHS}
  batch: 32
  seed: 3
`;

test('the same spec sent to two sweep directories makes two sweeps; two workers finish both without writing either index', redisTest, async () => {
  const root = mkdtempSync(join(tmpdir(), 'sweep-redis-two-'));
  const port = await freePort();
  const redis = await startRedis(port);
  const url = `redis://127.0.0.1:${port}`;
  const workers: ReturnType<typeof startCli>[] = [];
  try {
    const spec = writeSpec(root, SMALL);
    const outs = [join(root, 'a'), join(root, 'b')];
    for (const out of outs) {
      const enqueue = runCli(['sweep', spec, '--out', out, '--executor', url]);
      assert.equal(enqueue.status, 0, enqueue.stderr);
      assert.match(enqueue.stdout, /enqueued 2 runs/, `${out}: ${enqueue.stdout}`);
    }
    const indexes = outs.map((out) => join(out, 'index.sqlite'));
    const before = indexes.map((file) => ({ bytes: readFileSync(file), mtimeMs: statSync(file).mtimeMs }));
    for (let i = 0; i < 2; i++) workers.push(startCli(['worker', '--executor', url]));
    await waitFor('every run of both sweeps done', () => outs.every((out) => runIds(out).filter((id) => isDone(out, id)).length === 2), 120_000);
    for (const w of workers) w.child.kill('SIGTERM');
    for (const w of workers) assert.equal((await w.exit).code, 0);
    indexes.forEach((file, i) => {
      assert.deepEqual(readFileSync(file), before[i].bytes, `the workers did not write ${file}`);
      assert.equal(statSync(file).mtimeMs, before[i].mtimeMs);
      assert.equal(existsSync(`${file}-wal`), false, `nor open it (no WAL file of ${file})`);
    });
    for (const out of outs) assertSweepComplete(out, 2);
  } finally {
    for (const w of workers) w.child.kill('SIGKILL');
    redis.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
});

test('runs queued on a Redis that restarts without persistence are enqueued again, with a message', redisTest, async () => {
  const root = mkdtempSync(join(tmpdir(), 'sweep-redis-restart-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let redis = await startRedis(port);
  const restart = async () => {
    redis.kill('SIGKILL');
    await new Promise((resolve) => redis.once('close', resolve));
    redis = await startRedis(port);
  };
  const children: ReturnType<typeof startCli>[] = [];
  try {
    const spec = writeSpec(root, SMALL);
    const out = join(root, 'sweep');
    assert.match(runCli(['sweep', spec, '--out', out, '--executor', url]).stdout, /enqueued 2 runs/);
    await restart();
    // Started again, the sweep finds its queued runs' jobs gone.
    const waiter = startCli(['sweep', spec, '--out', out, '--executor', url, '--wait']);
    children.push(waiter);
    let stderr = '';
    waiter.child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor('the sweep to enqueue again and follow', () => /0\/2 runs done/.test(stderr), 60_000);
    assert.match(stderr, /2 queued runs had lost their jobs \(Redis restarted without persistence\?\) and were enqueued again/);
    // Restarted while the sweep follows: it enqueues them again once reconnected.
    await restart();
    await waitFor('the following sweep to enqueue again', () => stderr.split('had lost their jobs').length === 3, 60_000);
    const worker = startCli(['worker', '--executor', url]);
    children.push(worker);
    const ended = await waiter.exit;
    assert.equal(ended.code, 0, ended.stderr);
    worker.child.kill('SIGTERM');
    assertSweepComplete(out, 2);
  } finally {
    for (const c of children) c.child.kill('SIGKILL');
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
