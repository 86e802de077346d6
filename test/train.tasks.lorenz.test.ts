import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEchoStateSystem } from '../src/cells/index.js';
import { Rng } from '../src/linalg/index.js';
import { modelSpectrum } from '../src/model-spectrum/index.js';
import { readMetrics } from '../src/record/index.js';
import {
  createTask, lorenzTask, MemoryRecorder, resolveTrainConfig, toRnnModel, train, trainEchoStateRun, type Batch,
} from '../src/train/index.js';
import { runStreams } from '../src/train/seeds.js';
import { readSafetensors } from '../src/io/safetensors-file.js';

// The Lorenz-63 forecasting task and the echo-state fit. Oracles: the Lorenz vector field itself
// (central differences of the sampled series), the definition of the split and of the normal
// equations of ridge regression, and the closed-loop spectrum recomputed outside the loop.

const ROOT = join(import.meta.dirname, '..');
const CLI = ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts')];

test('lorenz: the sampled series obeys ẋ = σ(y − x), ẏ = x(ρ − z) − y, ż = xy − βz (fourth-order central differences)', () => {
  const dt = 0.002;
  const task = lorenzTask({ dt, trainSize: 20, evalSize: 2, seq: 50 });
  const { mean, std } = task.describe() as unknown as { mean: number[]; std: number[] };
  const { inputs, steps } = task.series('train');
  const u = (t: number, c: number) => inputs[t * 3 + c]! * std[c]! + mean[c]!;
  let worst = 0;
  for (let t = 2; t < steps - 2; t++) {
    const [x, y, z] = [u(t, 0), u(t, 1), u(t, 2)];
    const field = [10 * (y - x), x * (28 - z) - y, x * y - (8 / 3) * z];
    for (let c = 0; c < 3; c++) {
      const derivative = (-u(t + 2, c) + 8 * u(t + 1, c) - 8 * u(t - 1, c) + u(t - 2, c)) / (12 * dt);
      worst = Math.max(worst, Math.abs(derivative - field[c]!) / (1 + Math.abs(field[c]!)));
    }
  }
  assert.ok(worst < 1e-3, `largest relative mismatch ${worst}`);
});

test('lorenz: training part normalised to mean 0 and variance 1; targets are the inputs one step later, at every step; splits follow in time', () => {
  const task = lorenzTask({ trainSize: 30, evalSize: 5, seq: 40, noise: 0 });
  const train = task.series('train');
  for (let c = 0; c < 3; c++) {
    let [sum, squares] = [0, 0];
    for (let t = 0; t < train.steps; t++) {
      sum += train.inputs[t * 3 + c]!;
      squares += train.inputs[t * 3 + c]! ** 2;
    }
    // The statistics are over the training inputs and their one last target.
    assert.ok(Math.abs(sum / train.steps) < 0.05 && Math.abs(squares / train.steps - 1) < 0.05, `coordinate ${c}: mean ${sum / train.steps}, mean square ${squares / train.steps}`);
  }
  for (let i = 0; i < train.targets.length - 3; i++) assert.equal(train.targets[i], train.inputs[i + 3]);
  const validation = task.series('validation');
  assert.deepEqual(Array.from(validation.inputs.subarray(0, 3)), Array.from(train.targets.subarray(-3)));
  const batches = [...task.batches(7, new Rng(1))] as Extract<Batch, { loss: 'mse-per-step' }>[];
  assert.deepEqual(batches.map((b) => b.batch), [7, 7, 7, 7, 2]);
  for (const b of batches) {
    assert.equal(b.loss, 'mse-per-step');
    assert.equal(b.targets.length, b.batch * 40 * 3);
  }
  assert.equal(task.closedLoop?.warmup, 200);
  assert.throws(() => createTask({ name: 'lorenz', dt: 0.5 }), { name: 'TrainConfigError', message: /lorenz\.dt is 0\.5, expected a number in \(0, 0\.05\]/ });
});

test('lorenz: input noise perturbs the training inputs only, by the standard deviation asked for', () => {
  const [clean, noisy] = [0, 0.05].map((noise) => lorenzTask({ trainSize: 40, evalSize: 2, seq: 50, noise }));
  const [a, b] = [clean!, noisy!].map((task) => [...task.batches(40, new Rng(2))][0]! as Extract<Batch, { loss: 'mse-per-step' }>);
  let squares = 0;
  for (let i = 0; i < a!.inputs.length; i++) squares += (a!.inputs[i]! - b!.inputs[i]!) ** 2;
  const std = Math.sqrt(squares / a!.inputs.length);
  assert.ok(Math.abs(std - 0.05) < 0.003, `noise std ${std}`);
  assert.deepEqual(Array.from(a!.targets), Array.from(b!.targets));
  const [v1, v2] = [clean!, noisy!].map((task) => [...task.evalBatches('validation', 2)][0]!.inputs);
  assert.deepEqual(Array.from(v1!), Array.from(v2!));
});

test('train --task lorenz: the epoch spectra are the closed loop\'s (readout feeding the input) after a teacher-forced warm-up, not the driven network\'s', async () => {
  const recorder = new MemoryRecorder();
  const config = resolveTrainConfig({
    task: { name: 'lorenz', trainSize: 16, evalSize: 4, seq: 30, warmup: 20 },
    cell: 'gru', hidden: 8, epochs: 1, batch: 8, lr: 1e-2, seed: 4, precision: 'float64',
    spectrum: { every: 1, batch: 2, steps: 50, transient: 10, k: 3 },
  });
  const result = await train(config, { recorder });
  const task = createTask(config.task);
  const streams = runStreams(config.seed);
  const inputs = task.spectrumInputs(2, 20, streams.spectrumInputs());
  const { model, readout } = toRnnModel(result.params);
  const options = { k: 3, steps: 50, transient: 10, seed: streams.spectrumBasis };
  const closed = modelSpectrum(model, inputs, { ...options, closedLoop: { readout, warmup: 20 } });
  const recorded = recorder.spectrumLines.at(-1)!.spectrum!.exponents;
  recorded.forEach((v, i) => assert.ok(Math.abs(v - closed.exponents[i]!) < 1e-12, `λ${i + 1}: recorded ${v}, closed loop ${closed.exponents[i]}`));
  const driven = modelSpectrum(model, task.spectrumInputs(2, 60, new Rng(1)), options);
  assert.ok(Math.abs(driven.exponents[0]! - recorded[0]!) > 1e-6, 'the driven spectrum should differ from the closed loop\'s');
});

test('train --cell esn: the readout solves ridge regression\'s normal equations; the run directory holds the fit, its closed-loop spectrum and a model file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'esn-'));
  try {
    const out = join(dir, 'run');
    const ridge = 1e-6;
    const result = trainEchoStateRun(out, {
      task: { name: 'lorenz', trainSize: 40, evalSize: 10, seq: 50, warmup: 100 }, cell: 'esn', seed: 3,
      esn: { units: 60, sr: 0.9, lr: 0.8, input_scaling: 0.3, ridge, warmup: 50 },
      spectrum: { batch: 2, steps: 400, transient: 100, k: 3 },
    });
    // Normal equations: X̃ᵀ(X̃W̃ᵀ − Y) + ridge·W̃ᵀ = 0, with X̃ = [x, 1] the states after the warm-up.
    const { model, readout } = result;
    const task = lorenzTask({ trainSize: 40, evalSize: 10, seq: 50 });
    const train = task.series('train');
    const n = 60;
    const system = createEchoStateSystem(model, { batch: 1, steps: train.steps, size: 3, data: train.inputs });
    const gradient = new Float64Array(3 * (n + 1));
    let scale = 0;
    for (let t = 0; t < train.steps; t++) {
      system.step(t);
      if (t < 50) continue;
      for (let o = 0; o < 3; o++) {
        let y = readout.bias[o]!;
        for (let j = 0; j < n; j++) y += readout.weight[o * n + j]! * system.state[j]!;
        const r = y - train.targets[t * 3 + o]!;
        for (let j = 0; j < n; j++) gradient[o * (n + 1) + j] += r * system.state[j]!;
        gradient[o * (n + 1) + n] += r;
        scale = Math.max(scale, Math.abs(train.targets[t * 3 + o]!));
      }
    }
    for (let o = 0; o < 3; o++) {
      for (let j = 0; j < n; j++) gradient[o * (n + 1) + j] += ridge * readout.weight[o * n + j]!;
      gradient[o * (n + 1) + n] += ridge * readout.bias[o]!;
    }
    const worst = gradient.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    assert.ok(worst < 1e-6 * train.steps * scale, `largest normal-equation residual ${worst}`);
    const [metrics] = readMetrics(result.dir);
    assert.ok(metrics!.valLoss! < 1e-3, `one-step validation MSE ${metrics!.valLoss} (chance 1)`);
    assert.equal(metrics!.lambda!.length, 3);
    assert.deepEqual(metrics!.lambda, result.spectrum!.exponents);
    const file = readSafetensors(join(result.dir, 'model.safetensors'));
    assert.equal(file.metadata.cell, 'esn');
    assert.deepEqual(file.tensors.get('readout.weight')!.shape, [3, n]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('train --cell esn on the command line: bad settings are one-line errors (exit 2) and leave no run directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'esn-cli-'));
  try {
    const cases: [string[], RegExp][] = [
      [['--esn', 'units=50', 'lr=1.5'], /--esn lr is 1\.5, expected a leak rate in \(0, 1\]/],
      [['--esn', 'units=50', 'spectral_radius=1'], /--esn expects key=number with key one of units, sr, lr/],
      [['--esn', 'sr=1'], /--cell esn needs --esn units=N/],
      [['--esn', 'units=50', '--epochs', '3'], /--epochs do not apply/],
    ];
    for (const [extra, message] of cases) {
      const out = join(dir, 'run');
      const result = spawnSync(process.execPath, [...CLI, 'train', '--task', 'lorenz', '--cell', 'esn', '--out', out, ...extra], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.equal(existsSync(out), false);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
