/**
 * Where the bytes of kernels.wasm come from in a browser bundle (scripts/build-web.mjs puts this
 * module in place of kernel-wasm-source.ts): the page or worker hands them over with
 * provideKernelWasm before the first kernels are made — inlined in its bundle, or fetched.
 */

const PROVIDED = 'kernels.wasm (given by provideKernelWasm)';
let provided: Uint8Array | undefined;

export function provideKernelWasm(bytes: Uint8Array): void {
  provided = bytes;
}

export function kernelWasmLocation(): string {
  return PROVIDED;
}

export function kernelWasmBuilt(location: string = PROVIDED): boolean {
  return location === PROVIDED && provided !== undefined;
}

export function readKernelWasm(location: string): Uint8Array {
  if (!kernelWasmBuilt(location)) throw new Error(`readKernelWasm: ${location} is not there: call provideKernelWasm(bytes) first`);
  return provided!;
}
