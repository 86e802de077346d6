import { UserError } from '../errors.js';

/**
 * Errors about the contents of a tensor file. Messages name the file, the tensor when there
 * is one, and what was expected: `FILE: tensor 'NAME': DETAIL` or `FILE: DETAIL`.
 */
export class TensorFileError extends UserError {
  constructor(
    readonly file: string,
    readonly detail: string,
    readonly tensor?: string,
  ) {
    super(`${file}: ${tensor === undefined ? '' : `tensor '${tensor}': `}${detail}`);
  }
}

/** A malformed safetensors file, or data that cannot be stored in one. */
export class SafetensorsError extends TensorFileError {}

/** A well-formed file whose tensors are not a valid model or input batch (or such data to save). */
export class ModelFileError extends TensorFileError {}
