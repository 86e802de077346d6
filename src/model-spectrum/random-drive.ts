import { Rng } from '../linalg/random.js';
import type { InputSequences, InputStream } from '../cells/model.js';
import type { EmbeddingTable } from '../io/embedding.js';
import { SpectrumInputError } from './errors.js';

export type DriveKind = 'onehot' | 'gaussian' | 'tokens';
export const DRIVE_KINDS: readonly DriveKind[] = ['onehot', 'gaussian', 'tokens'];

/**
 * B random input sequences of T steps for a network with `size` inputs, when no data is at hand:
 * one-hot symbols drawn uniformly (what a char-level model sees), standard normal vectors, or
 * token ids drawn uniformly from an embedding's rows, each step its row (what a model with an
 * embedding sees; with the identity as embedding, the same steps as one-hot). A
 * description, small enough to send to worker threads; `driveStream` makes its steps.
 * The values are those of one generator seeded with `seed` drawing sequence after sequence,
 * step after step, feature after feature.
 */
export interface RandomDrive {
  kind: DriveKind;
  batch: number;
  steps: number;
  size: number;
  seed: number;
  /** Index of this drive's first sequence among the seed's sequences (a part of a batch split over threads). Default 0. */
  first?: number;
  /** The embedding whose rows a 'tokens' drive feeds; `size` is its width. */
  embedding?: EmbeddingTable;
}

/** Steps are made in windows of about this many bytes: what a stream holds. */
export const DRIVE_WINDOW_BYTES = 4 * 2 ** 20;

export function isRandomDrive(inputs: object): inputs is RandomDrive {
  return 'seed' in inputs && 'kind' in inputs;
}

/** The whole drive held in memory, B×T×I: the values `driveStream` makes step by step. */
export function randomDrive(
  kind: DriveKind, batch: number, steps: number, size: number, seed: number, embedding?: EmbeddingTable,
): InputSequences {
  const stream = driveStream({ kind, batch, steps, size, seed, ...(embedding ? { embedding } : {}) });
  const data = new Float64Array(batch * steps * size);
  const step = new Float64Array(batch * size);
  for (let t = 0; t < steps; t++) {
    stream.readStep(t, step);
    for (let b = 0; b < batch; b++) data.set(step.subarray(b * size, (b + 1) * size), (b * steps + t) * size);
  }
  return { batch, steps, size, data };
}

/**
 * The drive made step by step, holding one window of steps (DRIVE_WINDOW_BYTES). Each sequence
 * has its own generator, started where the single generator would be when it reaches that
 * sequence. Reading a step before the window (a redone interval, the compat warm-up) restarts
 * the generators from the sequences' starts.
 */
export function driveStream(drive: RandomDrive): InputStream {
  return new DriveStream(drive);
}

class DriveStream implements InputStream {
  readonly batch: number;
  readonly steps: number;
  readonly size: number;
  private readonly draw: (rng: Rng, out: Float64Array, at: number) => void;
  /** Each sequence's generator at its step 0. */
  private readonly starts: Rng[] = [];
  /** Each sequence's generator at step `reached`. */
  private generators: Rng[] = [];
  private reached = 0;
  /** Steps per window, and the window: `chunk` steps of every sequence, B×chunk×I. */
  private readonly chunk: number;
  private readonly window: Float64Array;
  private windowStart = -1;

  constructor({ kind, batch, steps, size, seed, first = 0, embedding }: RandomDrive) {
    this.batch = batch;
    this.steps = steps;
    this.size = size;
    this.draw = drawStep(kind, size, embedding);
    this.chunk = Math.max(1, Math.min(steps, Math.floor(DRIVE_WINDOW_BYTES / (8 * batch * size))));
    this.window = new Float64Array(batch * this.chunk * size);
    const rng = new Rng(seed);
    this.skip(rng, first * steps);
    for (let b = 0; b < batch; b++) {
      this.starts.push(rng.clone());
      if (b + 1 < batch) this.skip(rng, steps);
    }
    this.generators = this.starts.map((start) => start.clone());
  }

  readStep(t: number, out: Float64Array): void {
    const { chunk, size, batch } = this;
    const start = t - (t % chunk);
    if (start !== this.windowStart) this.fillWindow(start);
    for (let b = 0; b < batch; b++) {
      const at = (b * chunk + t - start) * size;
      out.set(this.window.subarray(at, at + size), b * size);
    }
  }

  /** The window of steps [start, start + chunk), each sequence's drawn in order. */
  private fillWindow(start: number): void {
    if (start < this.reached) {
      this.generators = this.starts.map((rng) => rng.clone());
      this.reached = 0;
    }
    const { chunk, size } = this;
    const length = Math.min(chunk, this.steps - start);
    this.generators.forEach((rng, b) => {
      this.skip(rng, start - this.reached);
      for (let s = 0; s < length; s++) this.draw(rng, this.window, (b * chunk + s) * size);
    });
    this.reached = start + length;
    this.windowStart = start;
  }

  /** Draws `steps` steps of one sequence and forgets them. */
  private skip(rng: Rng, steps: number): void {
    const scratch = new Float64Array(this.size);
    for (let s = 0; s < steps; s++) this.draw(rng, scratch, 0);
  }
}

/** How one step of one sequence is drawn into out[at .. at + size). */
function drawStep(kind: DriveKind, size: number, embedding: EmbeddingTable | undefined): (rng: Rng, out: Float64Array, at: number) => void {
  switch (kind) {
    case 'onehot':
      return (rng, out, at) => {
        out.fill(0, at, at + size);
        out[at + rng.int(size)] = 1;
      };
    case 'gaussian':
      return (rng, out, at) => {
        for (let i = 0; i < size; i++) out[at + i] = rng.normal();
      };
    case 'tokens': {
      if (embedding === undefined || embedding.size !== size) {
        throw new SpectrumInputError(`a 'tokens' drive needs an embedding of width ${size} (the input size); ${embedding ? `got width ${embedding.size}` : 'none was given'}`);
      }
      const { vocabSize, weights } = embedding;
      return (rng, out, at) => {
        const id = rng.int(vocabSize);
        out.set(weights.subarray(id * size, (id + 1) * size), at);
      };
    }
  }
}
