import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryRecorder, resolveTrainConfig, train, trainInRunDirectory, type TrainConfigInput } from '../src/train/index.js';
import { readMetrics, readSpectra } from '../src/record/index.js';
import { referenceKernels } from '../src/linalg/index.js';
import { trainAndStopAfter } from './train.helpers.js';

const smallSpectrum = { every: 1, batch: 2, steps: 60, transient: 10, k: 3 };

test('a small LSTM learns the copy task to a loss well below chance, with a spectrum at every epoch', async () => {
  const recorder = new MemoryRecorder();
  const progress: { epoch: number; lambda1: number | null }[] = [];
  const result = await train(resolveTrainConfig({
    task: { name: 'copy', symbols: 4, length: 3, delay: 5, trainSize: 2000, evalSize: 200 },
    cell: 'lstm', hidden: 32, epochs: 4, batch: 32, lr: 1e-2, seed: 3, spectrum: smallSpectrum,
  }), { recorder, kernels: referenceKernels, onBatch: (p) => progress.push(p) });
  // Progress reports carry the latest λ₁: during epoch e, that of the spectrum after epoch e − 1.
  for (const p of progress) assert.equal(p.lambda1, recorder.spectrumLines[p.epoch - 1]!.spectrum!.exponents[0]);
  assert.equal(progress.length, 4 * Math.ceil(2000 / 32));
  const chance = Math.log(4);
  const final = result.metrics[result.metrics.length - 1]!;
  assert.ok(result.metrics[0]!.valLoss > 0.9 * chance, `initial loss ${result.metrics[0]!.valLoss} should be near chance ${chance}`);
  assert.ok(final.valLoss < 0.6 * chance, `final validation loss ${final.valLoss}, chance ${chance}`);
  assert.deepEqual(recorder.metricLines.map((m) => m.epoch), [0, 1, 2, 3, 4]);
  assert.deepEqual(recorder.spectrumLines.map((s) => s.epoch), [0, 1, 2, 3, 4]);
  for (const line of recorder.spectrumLines) {
    assert.equal(line.spectrum?.exponents.length, 3);
    assert.ok(line.spectrum!.exponents.every(Number.isFinite));
  }
  assert.deepEqual(recorder.metricLines[2]!.lambda, recorder.spectrumLines[2]!.spectrum!.exponents);
});

test('a char-LM on a slice of Shakespeare lowers its validation loss over 2 epochs (TBPTT streams), spectra each epoch', async () => {
  const recorder = new MemoryRecorder();
  const result = await train(resolveTrainConfig({
    task: { name: 'charlm', maxChars: 30000, seq: 50 },
    cell: 'gru', hidden: 32, epochs: 2, batch: 16, lr: 1e-2, seed: 1, spectrum: smallSpectrum,
  }), { recorder, kernels: referenceKernels });
  const losses = result.metrics.map((m) => m.valLoss);
  assert.ok(losses[1]! < losses[0]! && losses[2]! < losses[1]!, `validation losses ${losses.join(', ')}`);
  assert.ok(losses[2]! < recorder.run!.task.chanceLoss - 0.2, `final ${losses[2]}, unigram entropy ${recorder.run!.task.chanceLoss}`);
  assert.deepEqual(recorder.spectrumLines.map((s) => s.epoch), [0, 1, 2]);
  assert.ok(result.metrics.every((m) => m.valAccuracy !== null && m.valAccuracy >= 0 && m.valAccuracy <= 1));
});

const reproducible: TrainConfigInput = {
  task: { name: 'adding', length: 12, trainSize: 256, evalSize: 64 },
  cell: 'gru', hidden: 12, epochs: 3, batch: 32, lr: 5e-3, dropout: 0.1, seed: 11,
  schedule: 'exp:0.9', spectrum: { ...smallSpectrum, every: 2 },
};

test('same seed, same bits: two runs give identical weights; another seed does not', async () => {
  const a = await train(resolveTrainConfig(reproducible), { kernels: referenceKernels });
  const b = await train(resolveTrainConfig(reproducible), { kernels: referenceKernels });
  const c = await train(resolveTrainConfig({ ...reproducible, seed: 12 }), { kernels: referenceKernels });
  assert.ok(a.params.values instanceof Float32Array);
  assert.deepEqual(a.params.values, b.params.values);
  assert.notDeepEqual(a.params.values, c.params.values);
  assert.deepEqual(a.metrics.map((m) => m.valLoss), b.metrics.map((m) => m.valLoss));
});

test('a run stopped after epoch 1 and resumed from its directory ends with the uninterrupted weights, each epoch logged once', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rnn-lyapunov-train-'));
  try {
    const straight = await trainInRunDirectory(join(root, 'straight'), reproducible, { hooks: { kernels: referenceKernels } });
    await trainAndStopAfter(join(root, 'stopped'), reproducible, 1);
    assert.deepEqual(readMetrics(join(root, 'stopped')).map((m) => m.epoch), [0, 1]);
    const resumed = await trainInRunDirectory(join(root, 'stopped'), null, { resume: true, hooks: { kernels: referenceKernels } });
    assert.equal(resumed.resumedFrom, 1);
    assert.deepEqual(resumed.params.values, straight.params.values);
    assert.deepEqual(readMetrics(join(root, 'stopped')).map((m) => m.epoch), [0, 1, 2, 3]);
    assert.deepEqual(readSpectra(join(root, 'stopped')).map((s) => s.epoch), [0, 2]);
    const valLosses = (dir: string) => readMetrics(join(root, dir)).map((m) => m.valLoss);
    assert.deepEqual(valLosses('stopped'), valLosses('straight'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the cheap per-step spectrum is recorded every N optimizer steps with its few exponents', async () => {
  const recorder = new MemoryRecorder();
  await train(resolveTrainConfig({
    task: { name: 'xor', delay: 4, trainSize: 160, evalSize: 32 },
    cell: 'rnn_tanh', hidden: 8, epochs: 2, batch: 16, seed: 2,
    spectrum: { every: 0 },
    stepSpectrum: { every: 4, k: 2, batch: 2, steps: 20, transient: 5 },
  }), { recorder, kernels: referenceKernels });
  // 10 steps per epoch, 20 in all: a probe after steps 4, 8, …, 20; no epoch spectra.
  assert.deepEqual(recorder.spectrumLines.map((s) => [s.scope, s.step]), [4, 8, 12, 16, 20].map((s) => ['step', s]));
  assert.ok(recorder.spectrumLines.every((s) => s.spectrum!.exponents.length === 2));
  assert.ok(recorder.metricLines.every((m) => m.lambda === null));
});
