import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InputSequences, RnnModel } from './cells/model.js';
import { createKernels, type LinalgBackend } from './linalg/backends.js';
import { OptionError } from './errors.js';
import type { Precision } from './linalg/precision.js';
import { mergeSpectrumSums, spectrumFromSums, SpectrumError, type SpectrumSums } from './lyapunov/index.js';
import { modelSpectrumSums, type ModelDescription, type ModelSpectrumOptions, type ModelSpectrumResult } from './model-spectrum.js';

export interface ThreadedSpectrumOptions extends Omit<ModelSpectrumOptions, 'kernels' | 'forwardKernels' | 'firstTrajectory'> {
  /** Worker threads the batch is split over (at most one per sequence). Default: the machine's cores. */
  threads?: number;
  /** Linear-algebra kernels each thread creates. Default 'wasm'. */
  backend?: LinalgBackend;
  /** Arithmetic of the tangent dynamics and QR (the logs are always summed in float64). Default 'float64'. */
  precision?: Precision;
}

/** What the main thread sends a worker (model-spectrum-worker.ts), and what comes back. */
export interface SpectrumWorkerRequest {
  model: RnnModel;
  inputs: InputSequences;
  options: Omit<ModelSpectrumOptions, 'kernels' | 'forwardKernels' | 'onProgress'>;
  backend: LinalgBackend;
  precision: Precision;
}
export type SpectrumWorkerMessage =
  | { kind: 'progress'; done: number; total: number }
  | { kind: 'result'; sums: SpectrumSums; model: ModelDescription }
  | { kind: 'error'; name: string; message: string };

/**
 * `modelSpectrum` with the batch split over worker threads: the trajectories are independent, so
 * each thread runs consecutive sequences of the batch with its own kernels, and the accumulated
 * sums are merged before the statistics. Every trajectory's arithmetic is the same as in one
 * thread (the random initial bases included), so the result is identical for any thread count
 * when qrEvery = 1; with qrEvery > 1 each thread's conditioning guard watches its own trajectories.
 * One thread runs in the calling thread.
 */
export async function modelSpectrumThreaded(
  model: RnnModel, inputs: InputSequences, options: ThreadedSpectrumOptions,
): Promise<ModelSpectrumResult> {
  const { threads: requested, backend = 'wasm', precision = 'float64', onProgress, ...spectrumOptions } = options;
  const threads = requested ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  const parts = splitBatch(inputs, Math.min(threads, inputs.batch));
  const outcomes = parts.length === 1
    ? [modelSpectrumSums(model, inputs, { ...spectrumOptions, ...spectrumKernels(backend, precision), ...(onProgress ? { onProgress } : {}) })]
    : await runWorkers(parts.map((part) => ({
      model,
      inputs: part.inputs,
      options: { ...spectrumOptions, firstTrajectory: part.first },
      backend,
      precision,
    })), onProgress);
  const result = spectrumFromSums(mergeSpectrumSums(outcomes.map((o) => o.sums)));
  return { ...result, options: { ...result.options, threads: parts.length }, model: outcomes[0]!.model };
}

/**
 * The tangent kernels in the requested precision; in float32 the forward step keeps float64
 * kernels, so the trajectory itself is not rounded.
 */
export function spectrumKernels(backend: LinalgBackend, precision: Precision): Pick<ModelSpectrumOptions, 'kernels' | 'forwardKernels'> {
  const kernels = createKernels(backend, { precision });
  return precision === 'float64' ? { kernels } : { kernels, forwardKernels: createKernels(backend) };
}

/** Consecutive sequences of the batch, as evenly as possible over `count` parts. */
function splitBatch(inputs: InputSequences, count: number): { first: number; inputs: InputSequences }[] {
  const perStep = inputs.steps * inputs.size;
  return Array.from({ length: count }, (_, p) => {
    const first = Math.floor((p * inputs.batch) / count);
    const end = Math.floor(((p + 1) * inputs.batch) / count);
    return {
      first,
      inputs: { ...inputs, batch: end - first, data: inputs.data.slice(first * perStep, end * perStep) },
    };
  });
}

/**
 * A worker running model-spectrum-worker. In dist/ that is a .js file; under tsx (tests, benches)
 * it is .ts, and on Node 20 a worker does not inherit the tsx loader: a two-line bootstrap
 * registers it first.
 */
function startWorker(request: SpectrumWorkerRequest): Worker {
  const extension = extname(fileURLToPath(import.meta.url));
  const url = new URL(`./model-spectrum-worker${extension}`, import.meta.url);
  if (extension !== '.ts') return new Worker(url, { workerData: request });
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: request });
}

async function runWorkers(
  requests: SpectrumWorkerRequest[], onProgress: ((done: number, total: number) => void) | undefined,
): Promise<{ sums: SpectrumSums; model: ModelDescription }[]> {
  const done = requests.map(() => 0);
  const workers: Worker[] = [];
  try {
    return await Promise.all(requests.map((request, p) => new Promise<{ sums: SpectrumSums; model: ModelDescription }>((resolve, reject) => {
      const worker = startWorker(request);
      workers.push(worker);
      worker.on('message', (message: SpectrumWorkerMessage) => {
        if (message.kind === 'progress') {
          done[p] = message.done;
          onProgress?.(Math.min(...done), message.total);
        } else if (message.kind === 'result') {
          resolve(message);
        } else {
          reject(rebuildError(message.name, message.message));
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`spectrum worker ${p} exited with code ${code} before it reported`)));
    })));
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/** The worker's error as the class the caller would have seen in one thread (the CLI maps these to exit 2). */
function rebuildError(name: string, message: string): Error {
  if (name === 'SpectrumError') return new SpectrumError(message);
  if (name === 'OptionError') return new OptionError(message);
  if (name === 'RangeError') return new RangeError(message);
  const error = new Error(message);
  error.name = name;
  return error;
}
