import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';

/**
 * Where the bytes of build/kernels.wasm come from under Node: the file under the package root.
 * The browser build (scripts/build-web.mjs) replaces this module by kernel-wasm-source.browser.ts,
 * which has no file system; both export the same three functions.
 */

export function kernelWasmLocation(): string {
  return join(packageRoot(), 'build', 'kernels.wasm');
}

/** Whether the kernels at `location` are there to be read. */
export function kernelWasmBuilt(location: string = kernelWasmLocation()): boolean {
  return existsSync(location);
}

export function readKernelWasm(location: string): Uint8Array {
  return readFileSync(location);
}
