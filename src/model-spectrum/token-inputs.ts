/**
 * A model driven through its embedding: sequences of token ids, each step's input the
 * embedding's row of that id. The ids are held (4 bytes a step), the input vectors made step by
 * step. The spectrum's Jacobians are those of the RNN at these inputs: ids are not differentiable,
 * and the embedding only chooses the inputs.
 */
import type { InputStream } from '../cells/model.js';
import type { EmbeddingTable } from '../io/embedding.js';
import { SpectrumInputError } from './errors.js';

export interface TokenInputs {
  batch: number;
  steps: number;
  /** The RNN's input size, the embedding's width. */
  size: number;
  /** Token ids, B×T row-major (sequence, step). */
  tokens: Int32Array;
  embedding: EmbeddingTable;
}

export function isTokenInputs(inputs: object): inputs is TokenInputs {
  return 'tokens' in inputs;
}

/**
 * The starts of `batch` windows of `window` tokens in a sequence of `length`, evenly spaced from
 * its start to its end: floor(b (length − window) / (batch − 1)), or 0 for one window. They
 * overlap when the text holds fewer than batch × window tokens. `where` names the text in the
 * error when it is shorter than one window.
 */
export function windowOffsets(length: number, batch: number, window: number, where = 'text'): number[] {
  if (length < window) {
    throw new SpectrumInputError(`${where}: ${length} tokens, fewer than one window of ${window} (the steps read: transient + steps); give a text of at least ${window} tokens or lower --steps or --transient`);
  }
  return Array.from({ length: batch }, (_, b) => (batch === 1 ? 0 : Math.floor((b * (length - window)) / (batch - 1))));
}

/**
 * `batch` sequences of `steps` tokens cut from one long sequence of ids (a text) at
 * `windowOffsets`, driving the RNN through `embedding`.
 */
export function embeddingInputs(embedding: EmbeddingTable, tokenIds: ArrayLike<number>, batch: number, steps: number, where = 'text'): TokenInputs {
  const offsets = windowOffsets(tokenIds.length, batch, steps, where);
  const tokens = new Int32Array(batch * steps);
  offsets.forEach((offset, b) => {
    for (let t = 0; t < steps; t++) tokens[b * steps + t] = tokenIds[offset + t]!;
  });
  return tokenBatch(embedding, tokens, batch, steps, where);
}

/** Sequences of token ids given whole, B×T, driving the RNN through `embedding`; each id is checked against it. */
export function tokenBatch(embedding: EmbeddingTable, tokens: Int32Array, batch: number, steps: number, where = 'tokens'): TokenInputs {
  for (let i = 0; i < tokens.length; i++) {
    if (!(tokens[i]! >= 0 && tokens[i]! < embedding.vocabSize)) {
      throw new SpectrumInputError(`${where}: token id ${tokens[i]} at sequence ${Math.floor(i / steps)}, step ${i % steps} is not in [0, ${embedding.vocabSize}), the embedding's rows`);
    }
  }
  return { batch, steps, size: embedding.size, tokens, embedding };
}

/** The inputs step by step: row tokens[b, t] of the embedding for each sequence b. */
export function tokenStream({ batch, steps, size, tokens, embedding }: TokenInputs): InputStream {
  const { weights } = embedding;
  return {
    batch, steps, size,
    readStep(t, out) {
      for (let b = 0; b < batch; b++) {
        const id = tokens[b * steps + t]!;
        out.set(weights.subarray(id * size, (id + 1) * size), b * size);
      }
    },
  };
}
