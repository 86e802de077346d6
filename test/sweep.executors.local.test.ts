/**
 * The local executor as a user runs it: `rnn-lyapunov sweep` in its own process, SIGKILLed in
 * the middle of the sweep, then started again with the same command.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainInRunDirectory } from '../src/train/index.js';
import { readMetrics } from '../src/record/index.js';
import { runLocalSweep, describeEvent, expandSweep, formatStatus, parseSweepSpec, openSweep } from '../src/sweep/index.js';
import {
  assertSweepComplete, endedAttempts, hasRunMidway, isDone, logCounts, runCli, runIds, sleep, startCli, waitFor, writeSpec,
} from './sweep.helpers.js';

test('a sweep SIGKILLed mid-way and started again finishes every run exactly once, resuming interrupted runs', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sweep-local-'));
  try {
    const spec = writeSpec(root);
    const out = join(root, 'sweep');
    const first = startCli(['sweep', spec, '--out', out, '--jobs', '2']);
    await waitFor('a finished run and a run past its first epoch', () => runIds(out).some((id) => isDone(out, id)) && hasRunMidway(out), 60_000);
    first.child.kill('SIGKILL');
    assert.equal((await first.exit).signal, 'SIGKILL');
    // The run processes die with the sweep (their watchdog sees the parent gone within 0.2 s; a
    // run at its very end may still finish in that time): after that, nothing trains.
    await sleep(800);
    const doneBefore = runIds(out).filter((id) => isDone(out, id));
    const interrupted = runIds(out).filter((id) => !isDone(out, id));
    assert.ok(doneBefore.length < 6 && interrupted.length > 0, `the sweep was killed before it finished (done: ${doneBefore.join(', ')}; interrupted: ${interrupted.join(', ')})`);
    const sizes = interrupted.map((id) => readFileSync(join(out, 'runs', id, 'metrics.jsonl')).length);
    await sleep(800);
    assert.deepEqual(interrupted.map((id) => readFileSync(join(out, 'runs', id, 'metrics.jsonl')).length), sizes, 'no orphan keeps training');

    const status = runCli(['sweep', 'status', out]);
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`: ${doneBefore.length}/6 runs done — `));

    const second = startCli(['sweep', spec, '--out', out, '--executor', 'local', '--jobs', '2']);
    const result = await second.exit;
    assert.equal(result.code, 0, result.stderr);
    assertSweepComplete(out, 6);
    for (const id of doneBefore) assert.deepEqual(logCounts(out, id), { started: 1, trained: 1 }, `run ${id}, finished before the kill, was not trained again`);
    for (const id of interrupted) {
      assert.equal(logCounts(out, id).started, 2, `run ${id} was started by both sweeps`);
      assert.equal(endedAttempts(out, id), 1, `run ${id}: the attempt killed with its sweep does not count against maxAttempts`);
    }
    // The index is a cache: rebuilt from the run directories and logs, it says the same.
    const indexed = (extra: string[]) => {
      const result = runCli(['sweep', 'status', out, '--json', ...extra]);
      assert.equal(result.status, 0, result.stderr);
      return (JSON.parse(result.stdout) as { updatedAt: string }[]).map(({ updatedAt: _, ...run }) => run);
    };
    const before = indexed([]);
    assert.deepEqual(indexed(['--rebuild']), before);

    // An interrupted run resumed from its checkpoint and logged the same numbers as an uninterrupted run.
    const resumed = interrupted.find((id) => JSON.parse(readFileSync(join(out, 'runs', id, 'summary.json'), 'utf8')).resumedFrom > 0);
    assert.ok(resumed !== undefined, 'at least one run resumed from a checkpoint');
    const config = JSON.parse(readFileSync(join(out, 'runs', resumed, 'config.json'), 'utf8'));
    const straight = join(root, 'straight');
    await trainInRunDirectory(straight, config);
    const losses = (dir: string) => readMetrics(dir).map((m) => [m.epoch, m.trainLoss, m.valLoss, m.lambda]);
    assert.deepEqual(losses(join(out, 'runs', resumed)), losses(straight));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a run that keeps failing is retried maxAttempts times, then marked failed; the index rebuilt says so; starting the sweep again tries it afresh', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sweep-fail-'));
  try {
    // The text exists when the spec is checked, and is gone when the run trains.
    const text = join(root, 'missing.txt');
    writeFileSync(text, 'to be or not to be, that is the question. '.repeat(200));
    const spec = parseSweepSpec({
      method: 'grid',
      maxAttempts: 2,
      parameters: { 'task.text': { values: [text] } },
      spectrum: { every: 1, batch: 1, steps: 10, transient: 0, k: 2 },
      readout: { metric: 'final_val_loss', epoch: 1 },
      base: { task: { name: 'charlm', seq: 20 }, hidden: 4, epochs: 1 },
    });
    rmSync(text);
    const out = join(root, 'sweep');
    const events: string[] = [];
    const counts = await runLocalSweep(spec, out, { jobs: 1, onEvent: (event) => events.push(describeEvent(event)) });
    assert.deepEqual(counts, { queued: 0, running: 0, done: 0, failed: 1 });
    assert.equal(events.length, 4, events.join('\n'));
    assert.match(events[0], /training \(attempt 1\)/);
    assert.match(events[1], /attempt 1 failed, retrying: exit code 1: charlm\.text: text file .*missing\.txt does not exist/);
    assert.match(events[2], /training \(attempt 2\)/);
    assert.match(events[3], /failed after 2 attempts: .*missing\.txt/);
    const sweep = openSweep(out);
    try {
      assert.match(formatStatus(out, sweep.index.counts(), sweep.index.list()), /0\/1 runs done — running 0, failed 1, queued 0\n {2}\w+ {2}failed, 2 attempts: .*missing\.txt/);
    } finally {
      sweep.index.close();
    }
    const rebuilt = runCli(['sweep', 'status', out, '--rebuild']);
    assert.match(rebuilt.stdout, /0\/1 runs done — running 0, failed 1, queued 0\n {2}\w+ {2}failed, 2 attempts: .*missing\.txt/, 'the attempts are kept in the run log');

    writeFileSync(join(root, 'missing.txt'), 'the quick brown fox jumps over the lazy dog. '.repeat(100));
    const again: string[] = [];
    assert.deepEqual(await runLocalSweep(spec, out, { jobs: 1, onEvent: (event) => again.push(describeEvent(event)) }), { queued: 0, running: 0, done: 1, failed: 0 });
    assert.match(again[0], /training \(attempt 1\)/, 'a fresh set of attempts');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a run process whose parent dies before it starts training never trains (no orphan)', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sweep-orphan-'));
  try {
    const job = { sweepDir: root, id: 'orphan', config: { task: { name: 'copy', trainSize: 64, evalSize: 16 }, hidden: 4, epochs: 1 } };
    // A parent that starts the run process and dies at once, while the child is still loading.
    const parent = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
      const { spawnRun } = await import(${JSON.stringify(join(import.meta.dirname, '..', 'src', 'sweep', 'executors', 'spawn-run.ts'))});
      const { child } = spawnRun(${JSON.stringify(job)});
      process.stdout.write(String(child.pid));
      process.kill(process.pid, 'SIGKILL');
    `], { encoding: 'utf8' });
    assert.equal(parent.signal, 'SIGKILL', parent.stderr);
    const childPid = Number(parent.stdout);
    assert.ok(childPid > 0);
    const alive = () => { try { process.kill(childPid, 0); return true; } catch { return false; } };
    await waitFor('the orphaned run process to die', () => !alive(), 15_000);
    assert.equal(existsSync(join(root, 'runs', 'orphan', 'config.json')), false, 'it never started training');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('SIGTERM while a 100 000-run sweep is being set up ends it at once, not after the set-up', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sweep-setup-signal-'));
  try {
    const spec = writeSpec(root, `
method: random
runCap: 100000
parameters:
  lr: { distribution: log_uniform, min: 0.0001, max: 0.1 }
spectrum: { every: 1, batch: 1, steps: 10, transient: 0, k: 2 }
readout: { metric: final_val_loss, epoch: 1 }
base: { task: { name: copy, trainSize: 64, evalSize: 16 }, hidden: 4, epochs: 1 }
`);
    const out = join(root, 'sweep');
    const sweep = startCli(['sweep', spec, '--out', out, '--jobs', '1']);
    // sweep.json is written once the runs are expanded and checked; indexing them takes longer.
    await waitFor('the sweep directory to be created', () => existsSync(join(out, 'sweep.json')), 120_000);
    sweep.child.kill('SIGTERM');
    const ended = await sweep.exit;
    assert.equal(ended.signal, 'SIGTERM', `ended by the signal, not after setting up (exit code ${ended.code}): ${ended.stderr}`);
    assert.equal(existsSync(join(out, 'runs')), false, 'no run was started');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a sweep stopped (SIGTERM) while a run trains does not count that attempt against maxAttempts', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sweep-stopped-'));
  try {
    const spec = parseSweepSpec({
      method: 'grid',
      maxAttempts: 1,
      parameters: { lr: { values: [0.01] } },
      spectrum: { every: 1, batch: 1, steps: 10, transient: 0, k: 2 },
      readout: { metric: 'final_val_loss', epoch: 1 },
      base: { task: { name: 'copy', trainSize: 256, evalSize: 16 }, hidden: 4, epochs: 20 },
    });
    const out = join(root, 'sweep');
    const controller = new AbortController();
    const stopped = await runLocalSweep(spec, out, { jobs: 1, signal: controller.signal, onEvent: (event) => event.type === 'start' && controller.abort() });
    assert.deepEqual(stopped, { queued: 1, running: 0, done: 0, failed: 0 });
    // The run's id from the spec: stopped this early, its process may not have made its run directory yet.
    const [id] = expandSweep(spec).map((run) => run.id);
    const log = join(out, 'logs', `${id}.log`);
    await waitFor('the stopped attempt to be logged', () => existsSync(log) && readFileSync(log, 'utf8').includes('--- attempt not counted: stopped'), 15_000);
    const status = runCli(['sweep', 'status', out, '--json']);
    assert.equal(status.status, 0, status.stderr);
    assert.deepEqual(JSON.parse(status.stdout).map((run: { status: string; attempts: number }) => [run.status, run.attempts]), [['queued', 0]],
      'with maxAttempts 1, a counted attempt would have failed the run');
    assert.deepEqual(await runLocalSweep(spec, out, { jobs: 1 }), { queued: 0, running: 0, done: 1, failed: 0 });
    assert.equal(endedAttempts(out, id), 1);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('--jobs above the cores available is refused before the sweep directory is made', () => {
  const root = mkdtempSync(join(tmpdir(), 'sweep-jobs-'));
  try {
    const spec = join(root, 's.yaml');
    assert.equal(runCli(['sweep', 'init', spec]).status, 0);
    const out = join(root, 'sweep');
    const result = runCli(['sweep', spec, '--out', out, '--jobs', String(availableParallelism() + 1)]);
    assert.equal(result.status, 2);
    assert.equal(result.stderr, `rnn-lyapunov: --jobs must be an integer in [1, ${availableParallelism()}] (the cores available), got '${availableParallelism() + 1}'\n`);
    assert.equal(existsSync(out), false);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
