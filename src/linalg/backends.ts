import { OptionError } from '../errors.js';
import { PRECISIONS, type LinalgKernels, type Precision } from './kernels.js';
import { referenceKernels } from './reference.js';
import { WasmFloat32Kernels, WasmKernels } from './wasm-kernels.js';
import { BUILD_ADVICE } from './wasm-module.js';
import { kernelWasmBuilt, kernelWasmLocation } from './kernel-wasm-source.js';

/**
 * Which code runs the linear algebra, for the spectrum's kernels and training's products alike:
 * 'wasm' (the SIMD kernels of build/kernels.wasm) or 'js' (plain TypeScript loops).
 */
export type LinalgBackend = 'js' | 'wasm';
export const LINALG_BACKENDS: readonly LinalgBackend[] = ['js', 'wasm'];

export interface KernelOptions {
  /** 'float64' (the default) or 'float32', which only the wasm backend has. */
  precision?: Precision;
}

let warnedMissingWasm = false;

/**
 * Whether build/kernels.wasm is there. When it is not (the package was not built), warns once per
 * process: callers then run their js stand-in, which computes the same results more slowly.
 */
export function wasmKernelsBuilt(): boolean {
  if (kernelWasmBuilt()) return true;
  if (!warnedMissingWasm) {
    warnedMissingWasm = true;
    process.emitWarning(`${kernelWasmLocation()} is missing (${BUILD_ADVICE}); using the slower js kernels`, { code: 'RNN_LYAPUNOV_NO_WASM' });
  }
  return false;
}

/**
 * The kernels for a backend and precision. 'wasm' (the default) gives a new instance with its own
 * memory: WasmKernels for float64, WasmFloat32Kernels (name 'wasm-f32') for float32. When
 * build/kernels.wasm is missing (the package was not built), float64 warns once and returns the js
 * reference kernels, which compute the same results more slowly; float32 has no such stand-in and
 * throws. The js backend is float64 only.
 */
export function createKernels(backend: LinalgBackend = 'wasm', options: KernelOptions = {}): LinalgKernels {
  const { precision = 'float64' } = options;
  if (!LINALG_BACKENDS.includes(backend)) {
    throw new OptionError(`createKernels: backend must be one of ${LINALG_BACKENDS.join(', ')}, got ${String(backend)}`);
  }
  if (!PRECISIONS.includes(precision)) {
    throw new OptionError(`createKernels: precision must be one of ${PRECISIONS.join(', ')}, got ${String(precision)}`);
  }
  if (backend === 'js') {
    if (precision === 'float32') {
      throw new OptionError("createKernels: precision 'float32' needs the wasm backend; the js reference kernels are float64 only");
    }
    return referenceKernels;
  }
  if (precision === 'float32' && !kernelWasmBuilt()) {
    throw new Error(`createKernels: precision 'float32' needs the WebAssembly kernels, but ${kernelWasmLocation()} is missing (${BUILD_ADVICE})`);
  }
  if (!wasmKernelsBuilt()) return referenceKernels;
  return precision === 'float32' ? new WasmFloat32Kernels() : new WasmKernels();
}
