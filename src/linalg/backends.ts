import type { LinalgKernels } from './kernels.js';
import { referenceKernels } from './reference.js';
import { WasmKernels } from './wasm-kernels.js';
import { kernelWasmPath } from './wasm-module.js';
import { existsSync } from 'node:fs';

export type LinalgBackend = 'js' | 'wasm';
export const LINALG_BACKENDS: readonly LinalgBackend[] = ['js', 'wasm'];

let warnedMissingWasm = false;

/**
 * The kernels for a backend. 'wasm' (the default) gives a new WasmKernels instance with its own
 * memory; when build/kernels.wasm is missing (the package was not built) it warns once and
 * returns the js reference kernels, which compute the same results more slowly.
 */
export function createKernels(backend: LinalgBackend = 'wasm'): LinalgKernels {
  if (backend === 'js') return referenceKernels;
  if (backend !== 'wasm') {
    throw new RangeError(`createKernels: backend must be one of ${LINALG_BACKENDS.join(', ')}, got ${String(backend)}`);
  }
  const path = kernelWasmPath();
  if (!existsSync(path)) {
    if (!warnedMissingWasm) {
      warnedMissingWasm = true;
      process.emitWarning(
        `${path} is missing (build it with \`node scripts/build-wasm.mjs\` or \`npm run build\`); using the slower js kernels`,
        { code: 'RNN_LYAPUNOV_NO_WASM' },
      );
    }
    return referenceKernels;
  }
  return new WasmKernels();
}
