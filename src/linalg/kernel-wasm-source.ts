import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the bytes of build/kernels.wasm come from under Node: the file. The browser build
 * (scripts/build-web.mjs) replaces this module by kernel-wasm-source.browser.ts, which has no
 * file system; both export the same three functions.
 */

/**
 * build/kernels.wasm under the package root: the nearest directory above this file that holds a
 * package.json. Works from src/ (tests run through tsx) and from dist/ (the built package).
 */
export function kernelWasmLocation(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`kernelWasmLocation: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return join(dir, 'build', 'kernels.wasm');
}

/** Whether the kernels at `location` are there to be read. */
export function kernelWasmBuilt(location: string = kernelWasmLocation()): boolean {
  return existsSync(location);
}

export function readKernelWasm(location: string): Uint8Array {
  return readFileSync(location);
}
