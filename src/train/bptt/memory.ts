import { OptionError } from '../../errors.js';
import { LINALG_BACKENDS, wasmKernelsBuilt, type LinalgBackend } from '../../linalg/backends.js';
import { F32Arena } from '../../linalg/gemm/f32-arena.js';
import { jsDenseOps } from '../../linalg/gemm/gemm-nt.js';
import { cellStep } from '../../cells/backward/index.js';
import { wasmCellStep } from '../../cells/backward/wasm.js';
import { arrayType, type Precision } from '../../linalg/precision.js';
import type { MemoryFactory } from './workspace.js';

/**
 * Where the arrays of a pass live and which code runs their products and cell steps: 'js' (plain
 * loops, any precision) or 'wasm' (the float32 SIMD kernels of build/kernels.wasm, products, transposes and cell steps, over an arena in
 * its memory; float32 only). Default: wasm for float32, js for float64. When build/kernels.wasm is missing,
 * wasm warns once and runs the js products on float32 arrays (slower; sums in float64).
 */
export function memoryFactory(precision: Precision, backend: LinalgBackend = precision === 'float32' ? 'wasm' : 'js'): MemoryFactory {
  if (!LINALG_BACKENDS.includes(backend)) {
    throw new OptionError(`compute backend must be one of ${LINALG_BACKENDS.join(', ')}, got ${String(backend)}`);
  }
  if (backend === 'wasm' && precision !== 'float32') throw new OptionError('the wasm compute backend runs float32 only; use js for float64');
  const make = arrayType(precision);
  if (backend === 'js' || !wasmKernelsBuilt()) return () => ({ ...jsDenseOps, allocate: (n) => new make(n), step: cellStep });
  return (sizes) => {
    const arena = new F32Arena(F32Arena.sizeFor(sizes));
    return {
      allocate: (n) => arena.allocate(n),
      gemm: (m, n, k, a, aOffset, b, bOffset, c, cOffset, accumulate) =>
        arena.gemmNT(m, n, k, a as Float32Array, aOffset, b as Float32Array, bOffset, c as Float32Array, cOffset, accumulate),
      transpose: (rows, cols, a, aOffset, out, outOffset) => arena.transpose(rows, cols, a as Float32Array, aOffset, out as Float32Array, outOffset),
      addColumnSums: (rows, cols, a, aOffset, sums, sumsOffset) =>
        arena.addColumnSums(rows, cols, a as Float32Array, aOffset, sums as Float32Array, sumsOffset),
      addRowVector: (rows, cols, a, aOffset, v, vOffset) => arena.addRowVector(rows, cols, a as Float32Array, aOffset, v as Float32Array, vOffset),
      expShifted: (n, a, aOffset, shift) => arena.expShifted(n, a as Float32Array, aOffset, shift),
      step: (cell) => wasmCellStep(cell, arena),
    };
  };
}
