/**
 * A model file's tensors read as a model: the RNN, the embedding that drives it when the file
 * has one, and which of the file's tensors they are (`ModelSource`). Reading the file is
 * model-file.ts's (loadRnnFile); the browser build gives the tensors of a dropped file's bytes.
 */
import type { RnnModel } from '../cells/model.js';
import { findEmbedding, type Embedding } from './embedding.js';
import { ModelFileError } from './errors.js';
import { modelSource, type ModelSource } from './model-source.js';
import { findReadout, type NamedReadout } from './readout.js';
import type { SafetensorsContents } from './safetensors.js';
import { resolvePrefix, rnnModelFromTensors, type LoadRnnOptions } from './torch-rnn.js';

export interface LoadRnnFileOptions extends LoadRnnOptions {
  /** The embedding's tensor name; by default one is looked for by name (`embedding.weight`, …). */
  embedding?: string;
  /**
   * Read the readout too (closed loop): true finds it by name (`fc.*`, `readout.*`), a string is
   * its module prefix. Its absence, or a shape that does not map h to the input, is a ModelFileError.
   */
  readout?: string | true;
}

export interface RnnFile {
  model: RnnModel;
  /** The embedding as wide as the RNN's input, when the file has one. */
  embedding?: Embedding;
  /** The readout, when `readout` was asked for. */
  readout?: NamedReadout;
  /** The tensors used (the embedding among them) and ignored. */
  source: ModelSource;
}

export function rnnFileFromTensors(contents: SafetensorsContents, file: string, options: LoadRnnFileOptions = {}): RnnFile {
  const prefix = resolvePrefix([...contents.tensors.keys()], options.prefix, (detail) => {
    throw new ModelFileError(file, detail);
  });
  const { embedding: requested, readout: readoutPrefix, ...rnnOptions } = options;
  const model = rnnModelFromTensors(contents, file, { ...rnnOptions, prefix });
  const embedding = findEmbedding(contents.tensors, file, model.inputSize, prefix, requested);
  const readout = readoutPrefix === undefined ? undefined
    : findReadout(contents.tensors, file, model, readoutPrefix === true ? undefined : readoutPrefix);
  return {
    model, ...(embedding ? { embedding } : {}), ...(readout ? { readout } : {}),
    source: modelSource(contents, file, prefix, model, embedding?.name, readout?.names),
  };
}
