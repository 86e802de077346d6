/**
 * The train command as a user runs it: a separate process, killed with SIGKILL in the middle
 * of an epoch, then continued with --resume.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latestCheckpoint, readMetrics } from '../src/record/index.js';
import { trainInRunDirectory } from '../src/train/index.js';

const ROOT = join(import.meta.dirname, '..');
const CLI = ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts')];
const EPOCHS = 6;
const TRAIN = [
  'train', '--task', 'adding', '--seq', '20', '--task-opt', 'trainSize=1500', 'evalSize=100',
  '--cell', 'lstm', '--hidden', '24', '--epochs', String(EPOCHS), '--batch', '32', '--lr', '5e-3', '--dropout', '0.1',
  '--seed', '5', '--spectrum-batch', '2', '--spectrum-steps', '40', '--spectrum-transient', '5', '--k', '3',
];

/** The run TRAIN describes, as a config (the uninterrupted baseline runs in-process, saving a process start). */
const SAME_RUN = {
  task: { name: 'adding' as const, length: 20, trainSize: 1500, evalSize: 100 },
  cell: 'lstm' as const, hidden: 24, epochs: EPOCHS, batch: 32, lr: 5e-3, dropout: 0.1, seed: 5,
  spectrum: { batch: 2, steps: 40, transient: 5, k: 3 },
};

function runCli(args: string[]) {
  return spawnSync(process.execPath, [...CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
}

const checkpointFiles = (dir: string) =>
  ['safetensors', 'readout.safetensors', 'optimizer.safetensors'].map((s) => readFileSync(join(dir, 'checkpoints', `epoch-${String(EPOCHS).padStart(4, '0')}.${s}`)));

test('train killed with SIGKILL mid-run and resumed: every epoch logged once, final weights bit-identical to an uninterrupted run', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rnn-lyapunov-cli-'));
  try {
    const straight = join(root, 'straight');
    await trainInRunDirectory(straight, SAME_RUN);
    assert.deepEqual(readMetrics(straight).map((m) => m.epoch), [0, 1, 2, 3, 4, 5, 6]);

    const killed = join(root, 'killed');
    const child = spawn(process.execPath, [...CLI, ...TRAIN, '--out', killed], { cwd: ROOT, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // Kill once the epoch-2 checkpoint is complete: training is then somewhere in epoch 3.
    const manifest = join(killed, 'checkpoints', 'epoch-0002.json');
    while (!existsSync(manifest)) await new Promise((resolve) => setTimeout(resolve, 10));
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    const before = readMetrics(killed).map((m) => m.epoch as number);
    assert.ok(before.length < EPOCHS + 1, `the run was killed before it finished (it logged epochs ${before.join(', ')})`);

    const from = latestCheckpoint(killed)!.epoch;
    assert.ok(from >= 2 && from < EPOCHS, `resumes from epoch ${from}`);
    const resumed = runCli(['train', '--out', killed, '--resume', '--json']);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.equal(JSON.parse(resumed.stdout).resumedFrom, from);
    assert.deepEqual(readMetrics(killed).map((m) => m.epoch), [0, 1, 2, 3, 4, 5, 6]);
    const [a, b] = [checkpointFiles(straight), checkpointFiles(killed)];
    for (let i = 0; i < a.length; i++) assert.ok(a[i]!.equals(b[i]!), `checkpoint file ${i} differs from the uninterrupted run`);
    const valLosses = (dir: string) => readMetrics(dir).map((m) => m.valLoss);
    assert.deepEqual(valLosses(killed), valLosses(straight));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('train reports user errors in one line with exit code 2', () => {
  const cases: [string[], RegExp][] = [
    [['train', '--task', 'adding', '--init', 'uniform:-1'], /init "uniform:-1": uniform needs one positive number/],
  ];
  for (const [args, message] of cases) {
    const result = runCli(args);
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  }
});
