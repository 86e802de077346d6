/**
 * A malformed safetensors file, or data that cannot be stored in one. The message names the
 * file, the tensor when there is one, and what was expected:
 * `FILE: tensor 'NAME': DETAIL` or `FILE: DETAIL`.
 */
export class SafetensorsError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
    readonly tensor?: string,
  ) {
    super(`${file}: ${tensor === undefined ? '' : `tensor '${tensor}': `}${detail}`);
    this.name = 'SafetensorsError';
  }
}
