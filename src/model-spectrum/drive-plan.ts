/**
 * A random drive for a model's spectrum, planned before it is made: what the memory check
 * weighs, the JSON's `inputs` record and the table's phrase. The CLI (`spectrum --drive`, or no
 * inputs at all) and the browser page plan it here alike, so their JSON says the same.
 */
import type { RnnModel } from '../cells/model.js';
import type { Embedding } from '../io/embedding.js';
import { SpectrumInputError } from './errors.js';
import type { SpectrumMemoryShape } from './memory.js';
import type { DriveKind, RandomDrive } from './random-drive.js';

/** The JSON's record of a random drive, enough to make it again. */
export type DriveDescription = { kind: 'drive'; drive: DriveKind; seed: number; embedding?: string };

export interface DrivePlan {
  /** Sequences, steps and features, and how they are held: what the memory check weighs. */
  shape: Pick<SpectrumMemoryShape, 'batch' | 'steps' | 'size' | 'held' | 'tokens'>;
  make(): RandomDrive;
  description: DriveDescription;
  /** The table's "driven by …" phrase. */
  phrase: string;
  /** Whether the inputs go through the embedding (so that it counts among the tensors used). */
  throughEmbedding: boolean;
}

/** The drive of a model given none: random tokens through its embedding when it has one, else one-hot vectors. */
export function defaultDrive(embedding: Embedding | undefined): DriveKind {
  return embedding !== undefined ? 'tokens' : 'onehot';
}

/** `batch` random sequences of `steps` steps; a 'tokens' drive feeds uniform token ids through `embedding`. */
export function drivePlan(
  drive: DriveKind, model: Pick<RnnModel, 'inputSize'>, embedding: Embedding | undefined, batch: number, steps: number, seed: number,
): DrivePlan {
  const size = model.inputSize;
  if (drive !== 'tokens') {
    return {
      shape: { batch, steps, size, held: false }, make: () => ({ kind: drive, batch, steps, size, seed }),
      description: { kind: 'drive', drive, seed }, phrase: `random ${drive} inputs (seed ${seed})`, throughEmbedding: false,
    };
  }
  if (embedding === undefined) throw new SpectrumInputError(`a tokens drive goes through the model's embedding, but the model has none of width ${size}`);
  return {
    shape: { batch, steps, size, held: false, tokens: { vocabSize: embedding.vocabSize } },
    make: () => ({ kind: 'tokens', batch, steps, size, seed, embedding }),
    description: { kind: 'drive', drive: 'tokens', seed, embedding: embedding.name },
    phrase: `random tokens through '${embedding.name}' (seed ${seed})`, throughEmbedding: true,
  };
}
