/**
 * The embedding that turns a language model's token ids into the RNN's input vectors: a 2-D
 * tensor [V, I] whose width I is the RNN's input size, found by name (`embed`, `embedding`,
 * `encoder` or `emb` as the last module of a `.weight`, as in `embedding.weight` or PyTorch's
 * word-language-model `encoder.weight`) or named by the caller.
 */
import { ModelFileError } from './errors.js';
import type { Tensor } from './safetensors.js';
import { checkFinite, floatValues, formatShape } from './tensor-checks.js';

/** An embedding's rows: token id v drives the RNN with weights[v·I .. v·I + I). */
export interface EmbeddingTable {
  vocabSize: number;
  size: number;
  weights: Float64Array;
}

export interface Embedding extends EmbeddingTable {
  /** The tensor's name in the file. */
  name: string;
}

/** The names an embedding is found by. */
export const EMBEDDING_NAME = /(?:^|\.)(?:embed|embedding|encoder|emb)\.weight$/;

/**
 * The embedding that drives an RNN of `inputSize` inputs: the tensor `requested` (which must
 * be one), else the one tensor named like an embedding with that width (several are narrowed
 * to those under the RNN's top-level module, from `prefix`); undefined when there is none.
 */
export function findEmbedding(
  tensors: ReadonlyMap<string, Tensor>, file: string, inputSize: number, prefix: string, requested?: string,
): Embedding | undefined {
  const fits = (shape: number[]) => shape.length === 2 && shape[0]! >= 1 && shape[1] === inputSize;
  if (requested !== undefined) {
    const tensor = tensors.get(requested);
    if (tensor === undefined) {
      const matrices = [...tensors].filter(([, t]) => t.shape.length === 2).map(([name, t]) => `'${name}' ${formatShape(t.shape)}`);
      throw new ModelFileError(file, `no tensor '${requested}' (--embedding); its 2-D tensors are ${matrices.join(', ') || 'none'}`);
    }
    if (!fits(tensor.shape)) {
      throw new ModelFileError(file, `has shape ${formatShape(tensor.shape)}; an embedding (--embedding) must be [V, ${inputSize}], as wide as the RNN's input size`, requested);
    }
    return embeddingOf(requested, tensor, file);
  }
  let candidates = [...tensors].filter(([name, tensor]) => EMBEDDING_NAME.test(name) && fits(tensor.shape));
  const module = `${prefix.split('.')[0]}.`;
  const underModule = candidates.filter(([name]) => prefix.includes('.') && name.startsWith(module));
  if (candidates.length > 1 && underModule.length > 0) candidates = underModule;
  if (candidates.length > 1) {
    const names = candidates.map(([name]) => `'${name}'`).join(', ');
    throw new ModelFileError(file, `several embeddings of width ${inputSize} (the RNN's input size): ${names}; choose one with --embedding TENSOR`);
  }
  return candidates.length === 1 ? embeddingOf(candidates[0]![0], candidates[0]![1], file) : undefined;
}

function embeddingOf(name: string, tensor: Tensor, file: string): Embedding {
  const fail = (detail: string): never => {
    throw new ModelFileError(file, detail, name);
  };
  const weights = floatValues(tensor, fail);
  checkFinite(weights, tensor.shape, fail);
  return { name, vocabSize: tensor.shape[0]!, size: tensor.shape[1]!, weights };
}
