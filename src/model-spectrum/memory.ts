import { totalmem } from 'node:os';
import { clvMemory, type ClvShape } from '../lyapunov/index.js';
import { SpectrumInputError } from './errors.js';
import { DRIVE_WINDOW_BYTES } from './random-drive.js';

/** What decides the memory of a spectrum run, known before anything large is allocated. */
export interface SpectrumMemoryShape {
  /** Sequences, input steps read per sequence (transient included), features per step. */
  batch: number;
  steps: number;
  size: number;
  /** Whether the sequences are held whole (a file, a run's held-out data) or made step by step (a random drive). */
  held: boolean;
  /**
   * Set when the inputs are token ids through an embedding of `vocabSize` rows and `size` columns:
   * held ids take 4 bytes a step, and every thread has the embedding.
   */
  tokens?: { vocabSize: number };
  /** State dimension n and exponents k. */
  stateDim: number;
  k: number;
  threads: number;
  /** Set for covariant Lyapunov vectors: their window, backward transient and sampling (their R and Q storage). */
  clv?: Pick<ClvShape, 'window' | 'backwardTransient' | 'every'>;
  /** Set when every step's Jacobian is kept (B × steps × n × n) in elements of this many bytes. */
  jacobianBytes?: 4 | 8;
  /** Set when the finite-time exponents are kept: windows per sequence (B × windows × k float64). */
  ftleWindows?: number;
}

/** A random drive's two generators per sequence (its start and where it is), generously. */
const GENERATOR_BYTES = 256;

/** Each worker thread's own isolate, module and WebAssembly heap (about 50–80 MB measured). */
export const WORKER_BYTES = 64 * 2 ** 20;

/**
 * An estimate of what a spectrum run holds at its peak, part by part (bytes): the input
 * sequences (held ones once, and once more split into the threads' parts; a random drive one
 * window per thread and its generators; token ids as held sequences, plus the embedding in
 * every thread), the QR iteration's bases and work blocks (about 8 n×k blocks per trajectory,
 * and n×n matrices per thread where the Jacobian is formed), and the worker threads.
 */
export function spectrumMemory(shape: SpectrumMemoryShape): { bytes: number; parts: [string, number][] } {
  const { batch, steps, size, held, tokens, stateDim: n, k, threads } = shape;
  const inputBytes = 8 * batch * steps * size;
  const twice = threads > 1 ? ', held twice (split over threads)' : '';
  const parts: [string, number][] = [
    held && tokens
      ? [`token ids ${batch} × ${steps} int32${twice}`, 4 * batch * steps * (threads > 1 ? 2 : 1)]
      : held
      ? [`input sequences ${batch} × ${steps} × ${size} float64${twice}`, inputBytes * (threads > 1 ? 2 : 1)]
      // A window holds at least one step of its sequences; each sequence has its generator.
      : ['random drive windows', Math.max(threads * Math.min(DRIVE_WINDOW_BYTES, inputBytes), 8 * batch * size) + GENERATOR_BYTES * batch],
    [`QR iteration (state dim ${n}, k ${k})`, 8 * (8 * batch * n * k + 3 * threads * n * n)],
  ];
  if (shape.jacobianBytes) parts.push([`Jacobians ${batch} × ${steps} × ${n} × ${n} ${shape.jacobianBytes === 8 ? 'float64' : 'float32'}`, shape.jacobianBytes * batch * steps * n * n]);
  if (shape.ftleWindows) parts.push([`finite-time windows ${batch} × ${shape.ftleWindows} × ${k} float64`, 8 * batch * shape.ftleWindows * k]);
  if (tokens) parts.push([`embedding ${tokens.vocabSize} × ${size} float64, one per thread`, 8 * tokens.vocabSize * size * (threads > 1 ? threads + 1 : 1)]);
  if (threads > 1) parts.push([`${threads} worker threads`, threads * WORKER_BYTES]);
  if (shape.clv) parts.push(...clvMemory({ ...shape.clv, batch, dim: n, k }).parts);
  return { bytes: parts.reduce((sum, [, bytes]) => sum + bytes, 0), parts };
}

/**
 * Half of the memory this process may use: the machine's, or a container's limit where one is
 * set. The other half is left to the system and to what else runs (a sweep's other runs).
 */
export function defaultMemoryBudget(): { bytes: number; why: string } {
  const total = totalmem();
  const limit = process.constrainedMemory?.() ?? 0;
  const [bytes, of] = limit > 0 && limit < total ? [limit, "this container's limit"] : [total, "this machine's memory"];
  return { bytes: bytes / 2, why: `half of ${of}, ${formatGiB(bytes)}` };
}

/** A budget of `gib` GiB set by --memory-budget, or the default. */
export function memoryBudget(gib?: number): { bytes: number; why: string } {
  return gib === undefined ? defaultMemoryBudget() : { bytes: gib * 2 ** 30, why: '--memory-budget' };
}

/**
 * Refuses, before anything large is allocated, what is estimated to need more than the budget
 * (`what` says what needs it, verb included: "this spectrum needs"):
 * the message names the size, its largest part, the budget and `advice` (the smaller settings).
 */
export function checkMemoryBudget(what: string, estimate: { bytes: number; parts: [string, number][] }, budget: { bytes: number; why: string }, advice: string): void {
  const { bytes, parts } = estimate;
  if (bytes <= budget.bytes) return;
  const largest = parts.reduce((a, b) => (b[1] > a[1] ? b : a));
  throw new SpectrumInputError(
    `${what} ≈ ${formatGiB(bytes)} (${largest[0]}: ${formatGiB(largest[1])}), over the memory budget of ${formatGiB(budget.bytes)} (${budget.why}); ${advice}`,
  );
}

export function formatGiB(bytes: number): string {
  return `${(bytes / 2 ** 30).toPrecision(3)} GiB`;
}
