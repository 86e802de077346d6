/**
 * The train command as a user runs it: a separate process, killed with SIGKILL in the middle
 * of an epoch, then continued with --resume.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
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

/** Every entry under `dir` with its bytes and modification time (ns): what "nothing changed" compares. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    const stat = statSync(path, { bigint: true });
    out[name] = `${stat.mtimeNs} ${stat.isFile() ? readFileSync(path).toString('base64') : 'dir'}`;
  }
  out['.'] = String(statSync(dir, { bigint: true }).mtimeNs);
  return out;
}

test('an exploding network: one warning line, the chance level in the table; --resume of the finished run changes nothing', () => {
  const root = mkdtempSync(join(tmpdir(), 'rnn-lyapunov-cli-'));
  try {
    const out = join(root, 'relu');
    const trained = runCli([
      'train', '--task', 'copy', '--task-opt', 'trainSize=200', 'evalSize=100', '--cell', 'rnn_relu', '--hidden', '16',
      '--init', 'normal:3', '--lr', '0.05', '--clip', 'none', '--epochs', '2', '--spectrum-every', '0', '--out', out,
    ]);
    assert.equal(trained.status, 0, trained.stderr);
    // Copy over K = 8 symbols: chance is ln 8 = 2.0794 nats and 1/8 = 12.5%.
    const exploded = readMetrics(out).filter((m) => !(m.valLoss! <= 100 * Math.log(8)));
    assert.ok(exploded.length >= 2, `several epochs above 100× chance: ${readMetrics(out).map((m) => m.valLoss).join(', ')}`);
    const warnings = trained.stderr.split('\n').filter((line) => line.startsWith('warning: '));
    assert.equal(warnings.length, 1, trained.stderr);
    assert.match(warnings[0]!, new RegExp(`^warning: validation loss \\S+ at epoch ${exploded[0]!.epoch} is over 100× the chance level 2\\.08: the network is diverging`));
    assert.match(trained.stdout, /\nchance\s+2\.0794\s+12\.5%\n/);

    const before = snapshot(out);
    const resumed = runCli(['train', '--out', out, '--resume']);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.equal(resumed.stdout, '');
    assert.equal(resumed.stderr, `run ${out} is finished (epoch 2 of 2); nothing to do, nothing changed\n`);
    assert.deepEqual(snapshot(out), before);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('trainInRunDirectory resuming a finished run (as a sweep does, config given) trains and writes nothing', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rnn-lyapunov-cli-'));
  try {
    const dir = join(root, 'run');
    const config = { task: { name: 'xor' as const, delay: 2, trainSize: 16, evalSize: 8 }, cell: 'gru' as const, hidden: 3, epochs: 1, spectrum: { every: 0 } };
    const warnings: string[] = [];
    const first = await trainInRunDirectory(dir, config, { hooks: { onWarning: (w) => warnings.push(w) } });
    assert.equal(first.alreadyFinished, false);
    assert.deepEqual(warnings, [], 'a healthy run is not warned about');
    const before = snapshot(dir);
    for (const input of [config, null]) {
      const again = await trainInRunDirectory(dir, input, { resume: true });
      assert.equal(again.alreadyFinished, true);
      assert.equal(again.resumedFrom, 1);
      assert.deepEqual(Array.from(again.params.values), Array.from(first.params.values));
      assert.deepEqual(snapshot(dir), before);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
