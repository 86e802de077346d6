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
    super(oneLine(`${file}: ${tensor === undefined ? '' : `tensor '${shortName(tensor)}': `}${detail}`));
  }
}

/**
 * Control characters (a newline in a tensor name or dtype read from a file) escaped as in JSON:
 * the CLI prints a user error as one line.
 */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A tensor name read from a file, cut to 100 characters. */
function shortName(name: string): string {
  return name.length > 100 ? `${name.slice(0, 100)}… (${name.length} characters)` : name;
}

/** A malformed safetensors file, or data that cannot be stored in one. */
export class SafetensorsError extends TensorFileError {}

/** A well-formed file whose tensors are not a valid model or input batch (or such data to save). */
export class ModelFileError extends TensorFileError {}

/** A text or vocabulary file that cannot drive a model's embedding: `FILE: DETAIL`. */
export class TextInputError extends UserError {
  constructor(readonly file: string, readonly detail: string) {
    super(oneLine(`${file}: ${detail}`));
  }
}

/** A well-formed safetensors file whose tensor is not a batch of per-step Jacobians [B, T, n, n] of finite numbers. */
export class JacobianFileError extends TensorFileError {}
