/**
 * `train` with gradient flossing: every cell, 1–2 layers, float32 and float64; the flossing
 * fields in metrics.jsonl; bit-identical resume in process and after SIGKILL; config errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latestCheckpoint, readMetrics } from '../src/record/index.js';
import { referenceKernels } from '../src/linalg/index.js';
import { readSafetensors } from '../src/io/safetensors-file.js';
import {
  formatEpochLine, MemoryRecorder, resolveTrainConfig, train, trainInRunDirectory, TrainConfigError, type TrainConfigInput,
} from '../src/train/index.js';
import type { TrainedEpochMetrics } from '../src/record/index.js';
import { parseFlossSpec } from '../src/train/floss/config.js';
import { trainAndStopAfter } from './train.helpers.js';

const ROOT = join(import.meta.dirname, '..');
const spectrum = { every: 1, batch: 2, steps: 30, transient: 5, k: 2 };
const task = { name: 'copy' as const, symbols: 3, length: 2, delay: 3, trainSize: 96, evalSize: 32 };

for (const cell of ['rnn_tanh', 'lstm', 'gru'] as const) {
  for (const layers of [1, 2]) {
    for (const precision of ['float32', 'float64'] as const) {
      test(`flossing in training: ${cell}, ${layers} layer(s), ${precision} — the logged exponents are those of the weights flossed`, async () => {
        const recorder = new MemoryRecorder();
        const config = resolveTrainConfig({
          task, cell, layers, precision, hidden: 6, epochs: 2, batch: 32, lr: 1e-2, seed: 3, spectrum,
          init: 'uniform:0.1', floss: { k: 2, pre: 3, every: 2, updates: 2, steps: 20, transient: 5, lr: 0.02 },
        });
        await train(config, { recorder, kernels: referenceKernels });
        const lines = recorder.metricLines;
        assert.deepEqual(lines.map((m) => m.flossLoss === null), [true, false, false], 'epoch 0: none; 1: pre-flossing; 2: every 2');
        for (const m of lines.slice(1)) {
          assert.equal(m.flossLambda!.length, 2);
          const loss = m.flossLambda!.reduce((s, l) => s + l * l, 0);
          assert.ok(Number.isFinite(m.flossLoss) && m.flossLoss! > 0);
          // One update per line would make the mean loss the last's: here several, so only bounds hold.
          assert.ok(loss > 0);
        }
        assert.equal(recorder.last!.flossOptimizer!.steps, 5, '3 pre-flossing updates and 2 in epoch 2');
        assert.equal(recorder.last!.flossOptimizer!.buffers['exp_avg']!.length, recorder.last!.params.values.length);
        // Small uniform weights contract strongly; flossing toward 0 raised λ₁ over the run.
        assert.ok(lines[2]!.flossLambda![0]! > lines[0]!.lambda![0]!, `λ₁ ${lines[0]!.lambda![0]} → ${lines[2]!.flossLambda![0]}`);
      });
    }
  }
}

test('flossing with one update per epoch logs that update\'s loss, Σ(λ_i − target)² of the exponents it logs', async () => {
  const recorder = new MemoryRecorder();
  await train(resolveTrainConfig({
    task, cell: 'gru', hidden: 6, epochs: 2, batch: 32, seed: 1, spectrum, floss: { k: 3, target: -0.1, steps: 20 },
  }), { recorder, kernels: referenceKernels });
  for (const m of recorder.metricLines.slice(1)) {
    const loss = m.flossLambda!.reduce((s, l) => s + (l + 0.1) ** 2, 0);
    assert.ok(Math.abs(m.flossLoss! - loss) <= 1e-12 * loss, `${m.flossLoss} against ${loss}`);
  }
  const line = formatEpochLine(recorder.metricLines[1]! as TrainedEpochMetrics, 2);
  assert.match(line, new RegExp(`  floss ${recorder.metricLines[1]!.flossLoss!.toPrecision(3)} \\(λ₁ ${recorder.metricLines[1]!.flossLambda![0]!.toFixed(4)}\\)  `));
  // A run without flossing writes no flossing fields at all.
  const plain = new MemoryRecorder();
  await train(resolveTrainConfig({ task, cell: 'gru', hidden: 6, epochs: 1, batch: 32, seed: 1, spectrum }), { recorder: plain, kernels: referenceKernels });
  assert.ok(plain.metricLines.every((m) => !('flossLoss' in m) && !('flossLambda' in m)));
});

const reproducible: TrainConfigInput = {
  task: { name: 'adding', length: 10, trainSize: 128, evalSize: 32 },
  cell: 'lstm', layers: 2, hidden: 5, epochs: 3, batch: 32, lr: 5e-3, seed: 11, spectrum: { ...spectrum, every: 2 },
  floss: { k: 3, pre: 2, every: 1, updates: 2, steps: 15, transient: 3 },
};

test('a flossing run stopped after epoch 1 and resumed ends with the uninterrupted weights and flossing Adam', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rnn-lyapunov-floss-'));
  try {
    const straight = await trainInRunDirectory(join(root, 'straight'), reproducible, { hooks: { kernels: referenceKernels } });
    await trainAndStopAfter(join(root, 'stopped'), reproducible, 1);
    const resumed = await trainInRunDirectory(join(root, 'stopped'), null, { resume: true, hooks: { kernels: referenceKernels } });
    assert.equal(resumed.resumedFrom, 1);
    assert.deepEqual(resumed.params.values, straight.params.values);
    const lines = (dir: string) => readMetrics(join(root, dir)).map(({ seconds: _, ...rest }) => rest);
    assert.deepEqual(lines('stopped'), lines('straight'));
    const optimizer = (dir: string) => readSafetensors(latestCheckpoint(join(root, dir))!.files['optimizer.safetensors']!).tensors;
    const [a, b] = [optimizer('straight'), optimizer('stopped')];
    assert.deepEqual([...a.keys()].sort(), ['exp_avg', 'exp_avg_sq', 'floss.exp_avg', 'floss.exp_avg_sq']);
    for (const [name, t] of a) assert.deepEqual(b.get(name)!.data, t.data, name);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('train --floss killed with SIGKILL mid-run and resumed: checkpoints bit-identical to an uninterrupted run', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rnn-lyapunov-floss-cli-'));
  const args = [
    'train', '--task', 'adding', '--seq', '10', '--task-opt', 'trainSize=256', 'evalSize=32', '--cell', 'gru', '--hidden', '6',
    '--epochs', '5', '--batch', '32', '--seed', '2', '--spectrum-batch', '2', '--spectrum-steps', '20', '--spectrum-transient', '3', '--k', '2',
    '--floss', 'k=3,pre=5,every=1,updates=3,steps=40,transient=5',
  ];
  const run = (out: string) => spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args, '--out', out], { cwd: ROOT, stdio: 'ignore' });
  const exit = (child: ReturnType<typeof spawn>) => new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (code, signal) => resolve([code, signal])));
  try {
    const straight = join(root, 'straight');
    const killed = join(root, 'killed');
    const [first, second] = [run(straight), run(killed)];
    const [finished, stopped] = [exit(first), exit(second)];
    while (!existsSync(join(killed, 'checkpoints', 'epoch-0002.json'))) await new Promise((resolve) => setTimeout(resolve, 10));
    second.kill('SIGKILL');
    assert.deepEqual(await stopped, [null, 'SIGKILL']);
    assert.deepEqual(await finished, [0, null]);
    const resumed = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'train', '--out', killed, '--resume'], { cwd: ROOT, stdio: 'ignore' });
    assert.deepEqual(await exit(resumed), [0, null]);
    assert.deepEqual(readMetrics(killed).map((m) => m.epoch), [0, 1, 2, 3, 4, 5]);
    for (const suffix of ['safetensors', 'readout.safetensors', 'optimizer.safetensors']) {
      const file = (dir: string) => readFileSync(join(dir, 'checkpoints', `epoch-0005.${suffix}`));
      assert.ok(file(straight).equals(file(killed)), `${suffix} differs from the uninterrupted run`);
    }
    assert.deepEqual(readMetrics(killed).map((m) => m.flossLoss), readMetrics(straight).map((m) => m.flossLoss));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('flossing options are checked, naming the field', () => {
  const base = { task, cell: 'rnn_tanh' as const, hidden: 3 };
  const bad: [TrainConfigInput['floss'], RegExp][] = [
    [{ k: 4 }, /floss\.k must be an integer in \[1, 3\] \(the state dimension\), got 4/],
    [{ pre: 0, every: 0 }, /never floss/],
    [{ weight: -1 }, /floss\.weight must be a positive number/],
    [{ steps: 0 }, /floss\.steps must be an integer/],
    [{ lr: 0 }, /floss\.lr must be a positive number or null/],
    [{ bogus: 1 } as never, /floss has unknown field\(s\) bogus/],
  ];
  for (const [floss, message] of bad) assert.throws(() => resolveTrainConfig({ ...base, floss }), (e: Error) => e instanceof TrainConfigError && message.test(e.message));
  assert.equal(resolveTrainConfig({ ...base, floss: {} }).floss!.k, 3, 'the default k is capped at the state dimension');
  assert.deepEqual(resolveTrainConfig({ ...base, floss: 'k=2,pre=7' }).floss, resolveTrainConfig({ ...base, floss: { k: 2, pre: 7 } }).floss, 'text as the CLI writes it');
  assert.throws(() => resolveTrainConfig({ ...base, floss: 'k=2,pre=0,every=0' }), /never floss/);
  assert.deepEqual(parseFlossSpec('k=2, target=-0.1,pre=10'), { k: 2, target: -0.1, pre: 10 });
  assert.throws(() => parseFlossSpec('k=2,step=3'), /unknown key 'step'/);
  assert.throws(() => parseFlossSpec('k'), /'k' is not key=value/);
  assert.throws(() => parseFlossSpec('k=two'), /k must be a number, got 'two'/);
});

test('train --floss with a bad key is one line naming it, exit code 2', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'train', '--task', 'xor', '--floss', 'k=2,bogus=1'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(result.status, 2, result.stderr);
  assert.equal(result.stderr, "rnn-lyapunov: floss 'k=2,bogus=1': unknown key 'bogus', expected one of k, steps, transient, batch, pre, every, updates, target, weight, lr\n");
});
