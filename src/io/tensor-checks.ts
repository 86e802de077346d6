/**
 * Checks shared by the loaders that turn file tensors into model weights or input data.
 * `fail(detail)` throws an error already bound to the file and tensor.
 */
import { isFloatDtype } from './dtype.js';
import type { Tensor } from './safetensors.js';

export type Fail = (detail: string) => never;

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** The tensor's values as float64, refusing integer and boolean tensors. */
export function floatValues(tensor: Tensor, fail: Fail): Float64Array {
  if (!isFloatDtype(tensor.dtype)) {
    fail(`has dtype ${tensor.dtype}; expected a floating-point dtype (F64, F32, F16 or BF16)`);
  }
  return tensor.data as Float64Array;
}

/**
 * A weight's values: its shape must be `shape` (else `has shape …; ${wanted}`), its dtype
 * floating-point, and every value finite.
 */
export function shapedFiniteValues(tensor: Tensor, shape: readonly number[], wanted: string, fail: Fail): Float64Array {
  if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) fail(`has shape ${formatShape(tensor.shape)}; ${wanted}`);
  const values = floatValues(tensor, fail);
  checkFinite(values, tensor.shape, fail);
  return values;
}

/** Reject NaN and ±Inf, naming the first bad element by flat index and by position. */
export function checkFinite(values: ArrayLike<number>, shape: readonly number[], fail: Fail): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      fail(`holds ${values[i]} at index ${i} (element ${formatShape(unflattenIndex(i, shape))}); expected finite values`);
    }
  }
}

function unflattenIndex(flat: number, shape: readonly number[]): number[] {
  const position = new Array<number>(shape.length);
  let rest = flat;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    position[axis] = rest % shape[axis];
    rest = Math.floor(rest / shape[axis]);
  }
  return position;
}
