/**
 * Storage precision. Training runs in float32 by default (half the memory traffic of float64) and in float64 on
 * request (gradient checks, exact comparisons). The math is written once over `FloatArray`;
 * the constructor picks the storage. Arithmetic itself is always float64 in JavaScript: a
 * Float32Array only rounds what is stored.
 */
export type Precision = 'float32' | 'float64';
export type FloatArray = Float32Array | Float64Array;
export type FloatArrayConstructor = Float32ArrayConstructor | Float64ArrayConstructor;

export const PRECISIONS: readonly Precision[] = ['float32', 'float64'];

export function arrayType(precision: Precision): FloatArrayConstructor {
  if (precision === 'float32') return Float32Array;
  if (precision === 'float64') return Float64Array;
  throw new RangeError(`precision must be one of ${PRECISIONS.join(', ')}, got ${String(precision)}`);
}
