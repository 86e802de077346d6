import { gemmNT } from '../gemm.js';
import { arrayType, type Precision } from '../../linalg/precision.js';
import { F32Arena } from '../wasm/f32-arena.js';
import type { MemoryFactory } from './workspace.js';

/**
 * Which code runs the products: 'js' (plain loops, any precision) or 'wasm' (float32 SIMD
 * kernel over a WebAssembly arena; float32 only). 'auto': wasm for float32, js for float64.
 */
export type ComputeBackend = 'auto' | 'js' | 'wasm';

export function memoryFactory(precision: Precision, backend: ComputeBackend = 'auto'): MemoryFactory {
  const make = arrayType(precision);
  const wasm = backend === 'wasm' || (backend === 'auto' && precision === 'float32');
  if (backend !== 'auto' && backend !== 'js' && backend !== 'wasm') {
    throw new RangeError(`compute backend must be auto, js or wasm, got ${String(backend)}`);
  }
  if (!wasm) return () => ({ allocate: (n) => new make(n), gemm: gemmNT });
  if (precision !== 'float32') throw new RangeError('the wasm compute backend runs float32 only; use js for float64');
  return (sizes) => {
    const arena = new F32Arena(F32Arena.sizeFor(sizes));
    return {
      allocate: (n) => arena.allocate(n),
      gemm: (m, n, k, a, aOffset, b, bOffset, c, cOffset, accumulate) =>
        arena.gemmNT(m, n, k, a as Float32Array, aOffset, b as Float32Array, bOffset, c as Float32Array, cOffset, accumulate),
    };
  };
}
