/**
 * Issue #13 items 2 and 13: a new run's whole config (task options and data files included) is
 * checked by `validateTrainConfig` without writing anything, and the spectrum's k is bounded by
 * the state dimension, as `spectrum --k` is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTask, MNIST_FILES, resolveTrainConfig, TrainConfigError, TaskDataError, validateTrainConfig, type TrainConfigInput } from '../src/train/index.js';

const copy = { name: 'copy' as const, trainSize: 10, evalSize: 10 };

test('spectrum k above the state dimension is refused, naming the dimension; the default k is capped at it', () => {
  // State dimensions: L·H, and 2·L·H for an LSTM's joint (h, c) state.
  const cases: [Omit<TrainConfigInput, 'task'>, number][] = [
    [{ cell: 'lstm', hidden: 8 }, 16],
    [{ cell: 'lstm', hidden: 8, spectrum: { lstmState: 'h' } }, 8],
    [{ cell: 'gru', hidden: 5, layers: 2 }, 10],
    [{ cell: 'rnn_tanh', hidden: 3 }, 3],
  ];
  for (const [network, dim] of cases) {
    const input = { task: copy, ...network };
    assert.equal(resolveTrainConfig(input).spectrum.k, Math.min(16, dim), JSON.stringify(network));
    assert.equal(resolveTrainConfig({ ...input, spectrum: { ...input.spectrum, k: dim } }).spectrum.k, dim);
    assert.throws(
      () => validateTrainConfig({ ...input, spectrum: { ...input.spectrum, k: dim + 1 } }),
      (error: Error) => error instanceof TrainConfigError
        && error.message === `train config: spectrum.k must be an integer in [1, ${dim}] (the state dimension), got ${dim + 1}`,
    );
  }
  assert.throws(() => resolveTrainConfig({ task: copy, cell: 'gru', hidden: 2, stepSpectrum: { every: 1, k: 3 } }), /stepSpectrum\.k must be an integer in \[1, 2\] \(the state dimension\), got 3/);
  assert.equal(resolveTrainConfig({ task: copy, cell: 'gru', hidden: 2, stepSpectrum: { every: 1 } }).stepSpectrum!.k, 2);
  // A config recorded before the refusal (k clamped when it ran) still resumes, clamped the same way.
  assert.equal(resolveTrainConfig({ task: copy, cell: 'gru', hidden: 4, spectrum: { k: 16 } }, { recorded: true }).spectrum.k, 4);
});

test('validateTrainConfig checks task options by name, type and range before any task is built', () => {
  assert.throws(() => validateTrainConfig({ task: { ...copy, delay: 0 } }), /copy\.delay is 0, expected an integer ≥ 1/);
  assert.throws(() => validateTrainConfig({ task: { ...copy, dealy: 3 } }), /unknown option 'dealy'/);
  assert.throws(() => validateTrainConfig({ task: { ...copy, 'train-size': 3 } }), /unknown option 'train-size' \(did you mean 'trainSize'\?\)/);
  assert.throws(() => validateTrainConfig({ task: { name: 'charlm', seq: 0 } }), /charlm\.seq is 0/);
  assert.throws(() => validateTrainConfig({ task: { name: 'xor', trainSize: 'many' } }), /option 'trainSize' is "many", expected integer/);
  assert.deepEqual(validateTrainConfig({ task: { ...copy, delay: 4, seed: null } }).task, { ...copy, delay: 4 });
});

test('validateTrainConfig finds missing data files and names them', () => {
  const root = mkdtempSync(join(tmpdir(), 'rnn-lyapunov-config-'));
  try {
    const text = join(root, 'missing.txt');
    assert.throws(
      () => validateTrainConfig({ task: { name: 'charlm', text: [text] } }),
      (error: Error) => error instanceof TaskDataError && error.message === `charlm.text: text file ${text} does not exist`,
    );
    assert.throws(() => validateTrainConfig({ task: { name: 'charlm', text: root } }), /charlm\.text: text file .* is not a regular file/);
    // smnist: a data directory lacking one of the four IDX files.
    for (const file of Object.values(MNIST_FILES).slice(1)) writeFileSync(join(root, file), '');
    assert.throws(
      () => validateTrainConfig({ task: { name: 'smnist', dataDir: root } }),
      (error: Error) => error instanceof TaskDataError && error.message === `smnist: MNIST file ${join(root, MNIST_FILES.trainImages)} does not exist`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('smnist sizes are spelled …Size like every task; the old …Count spellings are read, with one deprecation line each', () => {
  const root = mkdtempSync(join(tmpdir(), 'rnn-lyapunov-config-'));
  try {
    for (const file of Object.values(MNIST_FILES)) writeFileSync(join(root, file), ''); // present: only their presence is checked
    const warnings: string[] = [];
    const config = validateTrainConfig({ task: { name: 'smnist', dataDir: root, trainCount: 100, testCount: 20 } }, (w) => warnings.push(w));
    assert.deepEqual(config.task, { name: 'smnist', dataDir: root, trainSize: 100, testSize: 20 });
    assert.deepEqual(warnings, [
      "task option 'trainCount' of smnist is now spelled 'trainSize'; the old spelling still works but is deprecated",
      "task option 'testCount' of smnist is now spelled 'testSize'; the old spelling still works but is deprecated",
    ]);
    assert.throws(() => validateTrainConfig({ task: { name: 'smnist', dataDir: root, trainCount: 100, trainSize: 100 } }), /'trainCount' and 'trainSize' are the same option; give only 'trainSize'/);
    assert.throws(() => createTask({ name: 'copy', trainCount: 100 }), /unknown option 'trainCount'/); // old spellings are smnist's only
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
