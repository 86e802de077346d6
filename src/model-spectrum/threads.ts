import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RnnModel } from '../cells/model.js';
import { checkInteger, OptionError, UserError, type ErrorMessage } from '../errors.js';
import { createKernels, type LinalgBackend } from '../linalg/backends.js';
import type { Precision } from '../linalg/precision.js';
import { mergeSpectrumSums, spectrumFromSums, SpectrumError, type SpectrumSums } from '../lyapunov/index.js';
import type { ModelDescription } from './description.js';
import { SpectrumInputError } from './errors.js';
import { checkJacobianStore, modelSpectrumSums, type ModelSpectrumOptions, type ModelSpectrumResult, type SpectrumInputs } from './model-spectrum.js';
import { isAutonomousStarts } from './closed-loop.js';
import { isRandomDrive } from './random-drive.js';
import { isTokenInputs } from './token-inputs.js';

export interface ThreadedSpectrumOptions extends Omit<ModelSpectrumOptions, 'kernels' | 'forwardKernels'> {
  /** Worker threads the batch is split over (at most one per sequence). Default: the machine's cores. */
  threads?: number;
  /** Linear-algebra kernels each thread creates. Default 'wasm'. */
  backend?: LinalgBackend;
  /** Arithmetic of the tangent dynamics and QR (the logs are always summed in float64). Default 'float64'. */
  precision?: Precision;
}

/** What the main thread sends a worker (worker.ts), and what comes back. */
export interface SpectrumWorkerRequest {
  model: RnnModel;
  inputs: SpectrumInputs;
  options: Omit<ModelSpectrumOptions, 'kernels' | 'forwardKernels' | 'onProgress'>;
  /** Index in the whole batch of the part's first sequence. */
  firstTrajectory: number;
  backend: LinalgBackend;
  precision: Precision;
}
export type SpectrumWorkerMessage =
  | { kind: 'progress'; done: number; total: number }
  | { kind: 'result'; sums: SpectrumSums; model: ModelDescription }
  | { kind: 'error'; error: ErrorMessage };

/**
 * `modelSpectrum` with the batch split over worker threads: the trajectories are independent, so
 * each thread runs consecutive sequences of the batch with its own kernels, and the accumulated
 * sums are merged before the statistics. Every trajectory's arithmetic is the same as in one
 * thread (the random initial bases included), so the result is identical for any thread count
 * when qrEvery = 1; with qrEvery > 1 each thread's conditioning guard watches its own trajectories.
 * One thread runs in the calling thread.
 */
export async function modelSpectrumThreaded(
  model: RnnModel, inputs: SpectrumInputs, options: ThreadedSpectrumOptions,
): Promise<ModelSpectrumResult> {
  const { threads: requested, backend = 'wasm', precision = 'float64', onProgress, ...spectrumOptions } = options;
  const threads = requested ?? availableParallelism();
  checkInteger('threads', threads, 1);
  const parts = splitBatch(inputs, Math.min(threads, inputs.batch));
  checkJacobianStore(model, inputs.batch, options, parts.length > 1);
  const outcomes = parts.length === 1
    ? [modelSpectrumSums(model, inputs, { ...spectrumOptions, ...spectrumKernels(backend, precision), ...(onProgress ? { onProgress } : {}) })]
    : await runWorkers(parts.map((part) => ({
      model,
      inputs: part.inputs,
      options: spectrumOptions,
      firstTrajectory: part.first,
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

/**
 * Consecutive sequences of the batch, as evenly as possible over `count` parts: a random drive's
 * parts are described (each thread makes its own), held sequences (or token ids) are copied once
 * and the copy moves to its thread (see startWorker).
 */
function splitBatch(inputs: SpectrumInputs, count: number): { first: number; inputs: SpectrumInputs }[] {
  if (count === 1) return [{ first: 0, inputs }];
  return Array.from({ length: count }, (_, p) => {
    const first = Math.floor((p * inputs.batch) / count);
    const end = Math.floor(((p + 1) * inputs.batch) / count);
    const batch = end - first;
    if (isRandomDrive(inputs)) return { first, inputs: { ...inputs, batch, first: (inputs.first ?? 0) + first } };
    if (isAutonomousStarts(inputs)) return { first, inputs: { ...inputs, batch, first: (inputs.first ?? 0) + first } };
    if (isTokenInputs(inputs)) return { first, inputs: { ...inputs, batch, tokens: inputs.tokens.slice(first * inputs.steps, end * inputs.steps) } };
    const perSequence = inputs.steps * inputs.size;
    return { first, inputs: { ...inputs, batch, data: inputs.data.slice(first * perSequence, end * perSequence) } };
  });
}

/**
 * A worker running worker.ts. In dist/ that is a .js file; under tsx (tests, benches)
 * it is .ts, and on Node 20 a worker does not inherit the tsx loader: a two-line bootstrap
 * registers it first.
 */
function startWorker(request: SpectrumWorkerRequest): Worker {
  const extension = extname(fileURLToPath(import.meta.url));
  const url = new URL(`./worker${extension}`, import.meta.url);
  // The part's own copy of held sequences moves to the worker rather than being copied again.
  const { inputs } = request;
  const transferList = isRandomDrive(inputs) || isAutonomousStarts(inputs) ? [] : [(isTokenInputs(inputs) ? inputs.tokens : inputs.data).buffer as ArrayBuffer];
  if (extension !== '.ts') return new Worker(url, { workerData: request, transferList });
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: request, transferList });
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
          reject(rebuildError(message.error));
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`spectrum worker ${p} exited with code ${code} before it reported`)));
    })));
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/** The user errors a worker can raise, rebuilt as the same class on this side of postMessage. */
const WORKER_USER_ERRORS: readonly (new (message: string) => UserError)[] = [SpectrumError, SpectrumInputError, OptionError];

/**
 * The worker's error as the caller would have seen it in one thread. The `userError` flag
 * decides what it is (a UserError, or a bug that keeps its class name); the class is restored
 * where it is one of the user errors a worker can raise.
 */
function rebuildError({ message, className, userError }: ErrorMessage): Error {
  if (userError) {
    const known = WORKER_USER_ERRORS.find((type) => type.name === className);
    return new (known ?? UserError)(message);
  }
  const error = new Error(message);
  error.name = className;
  return error;
}
