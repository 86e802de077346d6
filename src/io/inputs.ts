/** Loading a batch of input sequences, a [B, T, I] tensor (sequences, steps, features). */
import type { InputSequences } from '../cells/model.js';
import { ModelFileError } from './errors.js';
import { readSafetensors, type SafetensorsContents } from './safetensors.js';
import { checkFinite, formatShape } from './tensor-checks.js';

export function loadInputSequences(path: string, name = 'inputs'): InputSequences {
  return inputSequencesFromTensors(readSafetensors(path), path, name);
}

/** Integer tensors (one-hot U8, I64 codes) are accepted and converted to float64. */
export function inputSequencesFromTensors(contents: SafetensorsContents, sourceName: string, name = 'inputs'): InputSequences {
  const tensor = contents.tensors.get(name);
  if (tensor === undefined) {
    const present = [...contents.tensors.keys()].map((key) => `'${key}'`).join(', ') || 'none';
    throw new ModelFileError(sourceName, `no tensor '${name}' of input sequences (tensors present: ${present})`);
  }
  const fail = (detail: string): never => {
    throw new ModelFileError(sourceName, detail, name);
  };
  const { shape } = tensor;
  if (shape.length !== 3 || shape.some((size) => size < 1)) {
    fail(`has shape ${formatShape(shape)}; expected [B, T, I] (sequences, steps, features), each at least 1`);
  }
  const data = tensor.data instanceof Float64Array ? tensor.data : Float64Array.from(tensor.data);
  checkFinite(data, shape, fail);
  const [batch, steps, size] = shape;
  return { batch, steps, size, data };
}
