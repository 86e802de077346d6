/** Loading a batch of input sequences, a [B, T, I] tensor (sequences, steps, features). */
import type { InputSequences } from '../cells/model.js';
import { ModelFileError } from './errors.js';
import type { SafetensorsContents, SafetensorsHeader } from './safetensors.js';
import { readSafetensors, readSafetensorsHeader } from './safetensors-file.js';
import { checkFinite, formatShape } from './tensor-checks.js';

export function loadInputSequences(path: string, name = 'inputs'): InputSequences {
  return inputSequencesFromTensors(readSafetensors(path), path, name);
}

/**
 * The batch, steps and size of a file's input sequences, from its header alone: what loading them
 * would hold (as float64), known before they are read.
 */
export function inputSequencesShape(path: string, name = 'inputs'): Omit<InputSequences, 'data'> {
  const [batch, steps, size] = inputShape(readSafetensorsHeader(path), path, name);
  return { batch, steps, size };
}

/** Integer tensors (one-hot U8, I64 codes) are accepted and converted to float64. */
export function inputSequencesFromTensors(contents: SafetensorsContents, sourceName: string, name = 'inputs'): InputSequences {
  const shape = inputShape(contents, sourceName, name);
  const tensor = contents.tensors.get(name)!;
  const data = tensor.data instanceof Float64Array ? tensor.data : Float64Array.from(tensor.data);
  checkFinite(data, shape, (detail) => {
    throw new ModelFileError(sourceName, detail, name);
  });
  const [batch, steps, size] = shape;
  return { batch, steps, size, data };
}

/** The shape [B, T, I] of the tensor `name`, checked. */
function inputShape(contents: SafetensorsHeader, sourceName: string, name: string): number[] {
  const tensor = contents.tensors.get(name);
  if (tensor === undefined) {
    const present = [...contents.tensors.keys()].map((key) => `'${key}'`).join(', ') || 'none';
    throw new ModelFileError(sourceName, `no tensor '${name}' of input sequences (tensors present: ${present})`);
  }
  const { shape } = tensor;
  if (shape.length !== 3 || shape.some((size) => size < 1)) {
    throw new ModelFileError(sourceName, `has shape ${formatShape(shape)}; expected [B, T, I] (sequences, steps, features), each at least 1`, name);
  }
  return shape;
}
