/**
 * A spectrum's batch split into parts that run apart — Node's worker threads (threads.ts) or a
 * browser's Web Workers (src/web) — and the parts' sums merged back into one result. No thread
 * API here, so that both hosts split, run and merge the batch the same way and get the same bits.
 */
import type { RnnModel } from '../cells/model.js';
import { checkInteger, OptionError, UserError, type ErrorMessage } from '../errors.js';
import { createKernels, type LinalgBackend } from '../linalg/backends.js';
import type { Precision } from '../linalg/precision.js';
import { SpectrumError } from '../lyapunov/errors.js';
import { mergeSpectrumSums, spectrumFromSums, type SpectrumSums } from '../lyapunov/spectrum.js';
import { toErrorMessage } from '../errors.js';
import { isAutonomousStarts } from './closed-loop.js';
import type { ModelDescription } from './description.js';
import { SpectrumInputError } from './errors.js';
import { checkJacobianStore, modelSpectrumSums, type ModelSpectrumOptions, type ModelSpectrumResult, type SpectrumInputs } from './model-spectrum.js';
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

/** What the main thread sends a worker, and what comes back. */
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
export type SpectrumPartOutcome = { sums: SpectrumSums; model: ModelDescription };

/**
 * One request per part of the batch, `threads` parts at most (one per sequence): consecutive
 * sequences, the same split whichever host runs them. The options' jacobiansOut is checked for
 * the split (shared memory when there are several parts).
 */
export function spectrumPartRequests(model: RnnModel, inputs: SpectrumInputs, options: ThreadedSpectrumOptions & { threads: number }): SpectrumWorkerRequest[] {
  const { threads, backend = 'wasm', precision = 'float64', onProgress: _onProgress, ...spectrumOptions } = options;
  checkInteger('threads', threads, 1);
  const parts = splitBatch(inputs, Math.min(threads, inputs.batch));
  checkJacobianStore(model, inputs.batch, options, parts.length > 1);
  return parts.map((part) => ({ model, inputs: part.inputs, options: spectrumOptions, firstTrajectory: part.first, backend, precision }));
}

/** Runs one part where it is called (a worker, or the calling thread for a single part), posting its progress. */
export function runSpectrumPart(request: SpectrumWorkerRequest, onProgress?: (done: number, total: number) => void): SpectrumPartOutcome {
  return modelSpectrumSums(request.model, request.inputs, {
    ...request.options,
    ...spectrumKernels(request.backend, request.precision),
    ...(onProgress ? { onProgress } : {}),
  }, request.firstTrajectory);
}

/** A worker's whole job: its part's sums, or its error, as the message to post back. */
export function spectrumPartMessage(request: SpectrumWorkerRequest, post: (message: SpectrumWorkerMessage) => void): SpectrumWorkerMessage {
  try {
    const { sums, model } = runSpectrumPart(request, (done, total) => post({ kind: 'progress', done, total }));
    return { kind: 'result', sums, model };
  } catch (error) {
    return { kind: 'error', error: toErrorMessage(error) };
  }
}

/** The parts' sums merged (in batch order) into the spectrum, which says how many parts ran it. */
export function mergedSpectrum(outcomes: readonly SpectrumPartOutcome[]): ModelSpectrumResult {
  const result = spectrumFromSums(mergeSpectrumSums(outcomes.map((o) => o.sums)));
  return { ...result, options: { ...result.options, threads: outcomes.length }, model: outcomes[0]!.model };
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
 * and the copy moves to its thread (partTransfers).
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

/** The buffers of a part's own copy of held sequences (or token ids): moved to its worker rather than copied again. */
export function partTransfers({ inputs }: SpectrumWorkerRequest): ArrayBuffer[] {
  return isRandomDrive(inputs) || isAutonomousStarts(inputs) ? [] : [(isTokenInputs(inputs) ? inputs.tokens : inputs.data).buffer as ArrayBuffer];
}

/** The user errors a worker can raise, rebuilt as the same class on this side of postMessage. */
const WORKER_USER_ERRORS: readonly (new (message: string) => UserError)[] = [SpectrumError, SpectrumInputError, OptionError];

/**
 * The worker's error as the caller would have seen it in one thread. The `userError` flag
 * decides what it is (a UserError, or a bug that keeps its class name); the class is restored
 * where it is one of the user errors a worker can raise.
 */
export function rebuildError({ message, className, userError }: ErrorMessage): Error {
  if (userError) {
    const known = WORKER_USER_ERRORS.find((type) => type.name === className);
    return new (known ?? UserError)(message);
  }
  const error = new Error(message);
  error.name = className;
  return error;
}
